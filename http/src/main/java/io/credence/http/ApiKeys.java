package io.credence.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The API keys the HTTP port accepts, read from a keys file that holds no secret in clear:
 * <pre>
 * # name              role              SHA-256 of the key (hex)                                          principal
 * ops-console         admin             9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
 * smf-1               network-function  60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752
 * telco-oss           network-function  fd61a03af4f77d870fc21e05e7e80678095c92d808cfb3b5c279ee04c74aca13  operator:telco
 * bs-17               network-function  a4e624d686e03ed2767c0abd85c14426b0b1157d2ce81d27bb4fe4f6f01d688a  base-station:bs-17
 * </pre>
 * One key a line: a name (for logs and metrics, never the key), a {@link Role}, the lowercase
 * or uppercase hex SHA-256 of the key's UTF-8 bytes ({@code printf %s "$KEY" | sha256sum}) and,
 * for a {@code network-function} key, optionally the one {@link Principal} it acts for: a market
 * operator ({@code operator:ACCOUNT}) or a base station ({@code base-station:ID}). Routes where a
 * caller acts for an operator or a base station admit only a key bound to that one (and admin
 * keys); a network-function key without a principal acts for none of them (it charges over Nchf,
 * reads, and runs validators, whose verdicts carry their own signatures). Files without the fourth
 * field keep working for everything else.
 * Blank lines and lines starting with {@code #} are ignored.
 *
 * <p>A presented key is hashed and its digest compared with every entry's by
 * {@link MessageDigest#isEqual}, which takes the same time wherever two digests differ, and the
 * loop does not stop at a match: how long a refusal takes says nothing about the keys.
 */
public final class ApiKeys {
    public static final int KEYS_MAX = 10_000;
    /** Longer presented keys are refused unread; real keys are 32..64 characters. */
    public static final int KEY_CHARS_MAX = 256;
    private static final HexFormat HEX = HexFormat.of();

    /** A key's holder: the name, role and principal (null: none) from its line. */
    public record Holder(String name, Role role, Principal principal) {
        public Holder(String name, Role role) {
            this(name, role, null);
        }
    }

    /** Whom a network-function key acts for, as {@code kind:id} in the keys file. */
    public record Principal(Kind kind, String id) {
        public enum Kind {
            /** A market operator account: registers itself, acts on its contracts, settles its batch. */
            OPERATOR("operator"),
            /** A provisioned base station: opens and meters data shares, allocates relay contracts. */
            BASE_STATION("base-station");

            private final String fileName;

            Kind(String fileName) {
                this.fileName = fileName;
            }

            public String fileName() {
                return fileName;
            }
        }

        /** Why {@code text} is no principal, or null. */
        static String problem(String text) {
            int colon = text.indexOf(':');
            java.util.Optional<Kind> kind = colon < 0 ? java.util.Optional.empty() : java.util.Arrays.stream(Kind.values())
                    .filter(k -> k.fileName.equals(text.substring(0, colon))).findFirst();
            if (kind.isEmpty()) {
                return "the fourth field is the principal the key acts for, 'operator:ACCOUNT' or 'base-station:ID', "
                        + "was '" + text + "'";
            }
            String id = text.substring(colon + 1);
            String problem = kind.get() == Kind.OPERATOR ? io.credence.ledger.Ids.accountIdProblem(id)
                    : !id.matches("[A-Za-z0-9._-]{1,64}") ? "must be 1..64 of A-Z a-z 0-9 . _ -"
                    : io.credence.ledger.Ids.pathSegmentProblem(id);
            return problem == null ? null : "the principal's " + kind.get().fileName + " id " + problem + ", was '"
                    + id + "'";
        }

        static Principal parse(String text) {
            int colon = text.indexOf(':');
            Kind kind = text.startsWith(Kind.OPERATOR.fileName + ":") ? Kind.OPERATOR : Kind.BASE_STATION;
            return new Principal(kind, text.substring(colon + 1));
        }

        @Override
        public String toString() {
            return kind.fileName + ":" + id;
        }
    }

    private record Entry(Holder holder, byte[] digest) {}

    private final List<Entry> entries;

    private ApiKeys(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** Thrown for a keys file that cannot be used; the message names the file and line. */
    public static final class Invalid extends Exception {
        public Invalid(String message) {
            super(message);
        }
    }

    public static ApiKeys read(Path file) throws Invalid {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Invalid(file + ": cannot be read: " + e.getMessage());
        }
        return parse(file.toString(), lines);
    }

    static ApiKeys parse(String source, List<String> lines) throws Invalid {
        List<Entry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> digests = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + ":" + (i + 1) + ": ";
            String[] fields = line.split("\\s+");
            if (fields.length != 3 && fields.length != 4) {
                throw new Invalid(where + "expected 'name role sha256hex [principal]', found " + fields.length
                        + " fields");
            }
            if (!fields[0].matches("[A-Za-z0-9._-]{1,64}") || !names.add(fields[0])) {
                throw new Invalid(where + "name must be 1..64 of A-Z a-z 0-9 . _ - and unique, was '" + fields[0] + "'");
            }
            Role role = Role.ofFileName(fields[1]).orElseThrow(() -> new Invalid(where + "role must be one of "
                    + java.util.Arrays.stream(Role.values()).map(Role::fileName).toList() + ", was '" + fields[1] + "'"));
            String hex = fields[2].toLowerCase(java.util.Locale.ROOT);
            if (!hex.matches("[0-9a-f]{64}")) {
                throw new Invalid(where + "the third field must be the 64 hex digits of the key's SHA-256, not the key");
            }
            if (!digests.add(hex)) {
                throw new Invalid(where + "the same key is listed twice");
            }
            Principal principal = null;
            if (fields.length == 4) {
                if (role != Role.NETWORK_FUNCTION) {
                    // admin keys act for everyone, device keys prove their SIM with its device token,
                    // read-only keys act for no one: a principal there would mean nothing
                    throw new Invalid(where + "only a network-function key is bound to a principal; a "
                            + role.fileName() + " key has three fields");
                }
                String problem = Principal.problem(fields[3]);
                if (problem != null) {
                    throw new Invalid(where + problem);
                }
                principal = Principal.parse(fields[3]);
            }
            entries.add(new Entry(new Holder(fields[0], role, principal), HEX.parseHex(hex)));
            if (entries.size() > KEYS_MAX) {
                throw new Invalid(where + "more than " + KEYS_MAX + " keys");
            }
        }
        if (entries.isEmpty()) {
            throw new Invalid(source + ": no keys (lines 'name role sha256hex [principal]')");
        }
        return new ApiKeys(entries);
    }

    /** The holder of {@code presented}, or empty for a key not in the file. */
    public Optional<Holder> find(String presented) {
        return find(presented, MessageDigest::isEqual);
    }

    /** {@code equality} is {@link MessageDigest#isEqual} but for tests that count the comparisons. */
    Optional<Holder> find(String presented, java.util.function.BiPredicate<byte[], byte[]> equality) {
        if (presented == null || presented.isEmpty() || presented.length() > KEY_CHARS_MAX) {
            return Optional.empty();
        }
        byte[] digest = sha256(presented);
        Holder found = null;
        for (Entry entry : entries) {
            // no early exit: every entry is compared, in constant time each
            if (equality.test(entry.digest(), digest)) {
                found = entry.holder();
            }
        }
        return Optional.ofNullable(found);
    }

    public int size() {
        return entries.size();
    }

    /** The hex SHA-256 of a key, as the keys file holds it. */
    public static String digestHex(String key) {
        return HEX.formatHex(sha256(key));
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every JDK has SHA-256", impossible);
        }
    }
}
