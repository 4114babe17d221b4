package io.credence.server.catalog;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.credence.admission.AdmissionPolicy;
import io.credence.ledger.Unit;
import io.credence.rating.Catalog;
import io.credence.rating.CatalogException;
import io.credence.rating.NetworkType;
import io.credence.rating.OutletPolicy;
import io.credence.rating.ProductPackage;
import io.credence.rating.Rule;
import io.credence.rating.Tariff;
import io.credence.rating.TerminalType;
import io.credence.rating.TerminalTypes;
import io.credence.rating.TimeBand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The catalog as an operator writes it: a JSON file (see {@code examples/catalog.json}). Reading
 * it either gives a checked {@link Catalog} or a {@link Invalid} error naming the file, the line
 * and the reason, so a bad edit is refused and the catalog in force stays.
 */
public final class CatalogFile {
    /**
     * Largest catalog file read; a bigger one is refused before parsing. The engine journals a
     * catalog's source as one record when it is put in force, which bounds it.
     */
    public static final long BYTES_MAX = io.credence.charging.EngineCommand.InstallCatalog.SOURCE_BYTES_MAX;

    /**
     * The engine's reader of installed catalogs: the same parser, on the bytes the journal holds
     * (a source that no longer parses is refused naming the line, as a file is).
     */
    public static final io.credence.charging.CatalogReader READER = source -> {
        try {
            Contents contents = parse(source, "catalog");
            return new io.credence.charging.CatalogReader.Contents(contents.catalog(), contents.admission());
        } catch (Invalid invalid) {
            throw new CatalogException("catalog", invalid.getMessage());
        }
    };
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /**
     * Why a catalog file was refused: where, and what is wrong. The message is
     * {@code FILE:LINE: REASON} ({@code FILE: REASON} without a line); the line and column are
     * also given apart, for a page that points at them.
     */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        private final int line;
        private final int column;
        private final String reason;

        Invalid(Object file, int line, String reason) {
            this(file, line, 0, reason);
        }

        Invalid(Object file, int line, int column, String reason) {
            super(file + (line > 0 ? ":" + line : "") + ": " + reason, null, false, false);
            this.line = Math.max(line, 0);
            this.column = line > 0 ? Math.max(column, 0) : 0;
            this.reason = reason;
        }

        /** The line (from 1) at fault; 0 when the refusal names none (too large, not UTF-8, the engine's). */
        public int line() {
            return line;
        }

        /** The column (from 1) on {@link #line()}; 0 when not known. */
        public int column() {
            return column;
        }

        /** What is wrong, without the file and line. */
        public String reason() {
            return reason;
        }
    }

    private CatalogFile() {}

    /** A catalog file's content: the rating catalog and its admission policy (null: none configured). */
    public record Contents(Catalog catalog, AdmissionPolicy admission) {}

    public static Catalog read(Path file) throws Invalid {
        return readAll(file).catalog();
    }

    public static Contents readAll(Path file) throws Invalid {
        return parse(bytesOf(file), file.toString());
    }

    /** A catalog file's bytes, within {@link #BYTES_MAX}. */
    public static byte[] bytesOf(Path file) throws Invalid {
        try {
            if (Files.size(file) > BYTES_MAX) {
                throw new Invalid(file, 0, "larger than " + BYTES_MAX + " bytes (the bound of a catalog put in force)");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new Invalid(file, 0, "cannot be read: " + e.getMessage());
        }
    }

    /** Parses a catalog's bytes; {@code file} names them in a refusal. */
    public static Contents parse(byte[] source, String file) throws Invalid {
        if (source.length > BYTES_MAX) {
            throw new Invalid(file, 0, "larger than " + BYTES_MAX + " bytes (the bound of a catalog put in force)");
        }
        String text;
        try {
            text = java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(source)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new Invalid(file, 0, "is not UTF-8");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw e.getLocation() == null ? new Invalid(file, 0, e.getOriginalMessage())
                    : new Invalid(file, e.getLocation().getLineNr(), e.getLocation().getColumnNr(), e.getOriginalMessage());
        }
        Map<String, Position> lines = lines(text);
        try {
            Catalog catalog = new Reader(root).catalog();
            return new Contents(catalog, AdmissionSection.read(root.get("admission")).orElse(null));
        } catch (Problem p) {
            Position at = lineOf(lines, p.pointer);
            throw new Invalid(file, at.line(), at.column(), p.pointer + ": " + p.getMessage());
        } catch (CatalogException e) {
            Position at = lineOf(lines, pointerOf(e.path()));
            throw new Invalid(file, at.line(), at.column(), e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new Invalid(file, 0, e.getMessage());
        }
    }

    /** A problem at a JSON pointer, found while reading. */
    private static final class Problem extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String pointer;

        Problem(String pointer, String reason) {
            super(reason, null, false, false);
            this.pointer = pointer;
        }
    }

    /** Where a value starts: line and column, both from 1 (0: unknown). */
    private record Position(int line, int column) {
        static final Position UNKNOWN = new Position(0, 0);
    }

    /** JSON pointer of every value to where it starts. */
    private static Map<String, Position> lines(String text) {
        Map<String, Position> lines = new HashMap<>();
        try (JsonParser parser = JSON.getFactory().createParser(text)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token != JsonToken.FIELD_NAME && token != JsonToken.END_OBJECT && token != JsonToken.END_ARRAY) {
                    com.fasterxml.jackson.core.JsonLocation at = parser.currentTokenLocation();
                    lines.putIfAbsent(parser.getParsingContext().pathAsPointer().toString(),
                            new Position(at.getLineNr(), at.getColumnNr()));
                }
            }
        } catch (IOException e) {
            // already parsed once; nothing to add
        }
        return lines;
    }

    private static Position lineOf(Map<String, Position> lines, String pointer) {
        String p = pointer;
        while (true) {
            Position line = lines.get(p);
            if (line != null) {
                return line;
            }
            int cut = p.lastIndexOf('/');
            if (cut < 0) {
                return Position.UNKNOWN;
            }
            p = p.substring(0, cut);
        }
    }

    private static final Pattern RULE = Pattern.compile("rules\\[(\\d+)\\][^.]*(?:\\.(\\w+))?");
    private static final Pattern LISTED = Pattern.compile("(\\w+(?:\\.\\w+)*)\\[(\\d+)\\]");

    /** The catalog's own error paths ({@code rules[3] (name).tariff}, {@code tariffs.x.bands.y}) as JSON pointers. */
    static String pointerOf(String path) {
        Matcher rule = RULE.matcher(path);
        if (rule.matches()) {
            String field = rule.group(2);
            String at = "/rules/" + rule.group(1);
            if (field == null) {
                return at;
            }
            return at + (field.equals("tariff") ? "/then" : field.equals("service") ? "/service" : "/when/" + field);
        }
        // terminalTypes.tac[2] -> /terminalTypes/tac/2
        return "/" + LISTED.matcher(path).replaceAll("$1.$2").replace('.', '/');
    }

    /** Walks the tree, knowing where it is, so errors name the place. */
    private record Reader(JsonNode root) {
        Catalog catalog() {
            object(root, "");
            Map<String, TimeBand> bands = new LinkedHashMap<>();
            root.path("timeBands").properties().forEach(e -> bands.put(e.getKey(),
                    timeBand(e.getKey(), e.getValue(), "/timeBands/" + e.getKey())));
            Map<String, Tariff> tariffs = new LinkedHashMap<>();
            root.path("tariffs").properties().forEach(e -> tariffs.put(e.getKey(),
                    tariff(e.getKey(), e.getValue(), "/tariffs/" + e.getKey())));
            Map<String, Catalog.Service> services = new LinkedHashMap<>();
            root.path("services").properties().forEach(e -> services.put(e.getKey(),
                    service(e.getKey(), e.getValue(), "/services/" + e.getKey())));
            List<Rule> rules = new ArrayList<>();
            JsonNode ruleNodes = root.path("rules");
            for (int i = 0; i < ruleNodes.size(); i++) {
                rules.add(rule(ruleNodes.get(i), "/rules/" + i));
            }
            Map<String, OutletPolicy> outlets = new LinkedHashMap<>();
            root.path("outlets").properties().forEach(e -> outlets.put(e.getKey(),
                    outlet(e.getValue(), "/outlets/" + e.getKey())));
            ZoneId zone;
            try {
                zone = ZoneId.of(text(root, "zone", "/zone"));
            } catch (DateTimeException e) {
                throw new Problem("/zone", "not a time zone: " + e.getMessage());
            }
            return new Catalog(text(root, "version", "/version"), text(root, "currency", "/currency"), zone, bands,
                    tariffs, services, rules, outlets, terminalTypes(root.path("terminalTypes"), "/terminalTypes"),
                    packages(root.path("packages"), "/packages"));
        }

        /** {"NAME": {"price": MINOR, "buckets": [{"unit", "amount", "validityDays", "priority", "ratingGroups"}]}}, optional. */
        private static Map<String, ProductPackage> packages(JsonNode node, String at) {
            if (node.isMissingNode()) {
                return Map.of();
            }
            object(node, at);
            Map<String, ProductPackage> packages = new LinkedHashMap<>();
            node.properties().forEach(e -> packages.put(e.getKey(),
                    productPackage(e.getKey(), e.getValue(), at + "/" + e.getKey())));
            return packages;
        }

        private static ProductPackage productPackage(String name, JsonNode node, String at) {
            object(node, at);
            JsonNode list = node.path("buckets");
            if (!list.isArray() || list.isEmpty() || list.size() > ProductPackage.GRANTS_MAX) {
                throw new Problem(at + "/buckets", "must be a list of 1.." + ProductPackage.GRANTS_MAX + " buckets");
            }
            List<ProductPackage.Grant> grants = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                JsonNode b = list.get(i);
                String here = at + "/buckets/" + i;
                object(b, here);
                Set<Long> groups = new LinkedHashSet<>();
                JsonNode groupList = b.path("ratingGroups");
                for (int g = 0; g < groupList.size(); g++) {
                    JsonNode group = groupList.get(g);
                    if (!group.isIntegralNumber() || group.asLong() < 0 || group.asLong() > 0xFFFF_FFFFL) {
                        throw new Problem(here + "/ratingGroups/" + g, "a rating group is an Unsigned32");
                    }
                    groups.add(group.asLong());
                }
                long validityDays = number(b, "validityDays", here, Long.MIN_VALUE, 1);
                long priority = number(b, "priority", here, 0, 0);
                if (validityDays > ProductPackage.VALIDITY_DAYS_MAX || priority > Integer.MAX_VALUE) {
                    throw new Problem(here, "validityDays must be 1.." + ProductPackage.VALIDITY_DAYS_MAX
                            + " and priority 0.." + Integer.MAX_VALUE);
                }
                try {
                    grants.add(new ProductPackage.Grant(enumOf(Unit.class, b.path("unit"), here + "/unit"),
                            number(b, "amount", here, Long.MIN_VALUE, 1), (int) validityDays, (int) priority, groups));
                } catch (CatalogException e) {
                    throw new Problem(here + "/" + e.path(), e.getMessage());
                }
            }
            try {
                return new ProductPackage(name, number(node, "price", at, Long.MIN_VALUE, 0), grants);
            } catch (CatalogException e) {
                throw new Problem(at, e.getMessage());
            }
        }

        /** {"tac": [{"from", "to", "type"}], "userAgents": [{"contains", "type"}]}, both optional. */
        private static TerminalTypes terminalTypes(JsonNode node, String at) {
            if (node.isMissingNode()) {
                return TerminalTypes.NONE;
            }
            object(node, at);
            List<TerminalTypes.TacRange> tacs = new ArrayList<>();
            JsonNode tacList = node.path("tac");
            for (int i = 0; i < tacList.size(); i++) {
                JsonNode t = tacList.get(i);
                String here = at + "/tac/" + i;
                object(t, here);
                long from = number(t, "from", here, Long.MIN_VALUE, 0);
                long to = number(t, "to", here, from, 0);
                if (from > 99_999_999L || to > 99_999_999L || to < from) {
                    throw new Problem(here, "a TAC range is 8 digits, from <= to");
                }
                tacs.add(new TerminalTypes.TacRange(from, to, enumOf(TerminalType.class, t.path("type"), here + "/type")));
            }
            List<TerminalTypes.UserAgent> agents = new ArrayList<>();
            JsonNode uaList = node.path("userAgents");
            for (int i = 0; i < uaList.size(); i++) {
                JsonNode u = uaList.get(i);
                String here = at + "/userAgents/" + i;
                object(u, here);
                agents.add(new TerminalTypes.UserAgent(text(u, "contains", here),
                        enumOf(TerminalType.class, u.path("type"), here + "/type")));
            }
            return new TerminalTypes(tacs, agents);
        }

        private static void object(JsonNode node, String at) {
            if (!node.isObject()) {
                throw new Problem(at.isEmpty() ? "/" : at, "must be an object");
            }
        }

        private static String text(JsonNode parent, String field, String at) {
            JsonNode v = parent.get(field);
            if (v == null || !v.isTextual() || v.asText().isBlank()) {
                throw new Problem(at, "'" + field + "' is required text");
            }
            return v.asText();
        }

        private static long number(JsonNode parent, String field, String at, long fallback, long min) {
            JsonNode v = parent.get(field);
            if (v == null) {
                if (fallback == Long.MIN_VALUE) {
                    throw new Problem(at, "'" + field + "' is required");
                }
                return fallback;
            }
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min) {
                throw new Problem(at + "/" + field, "must be a whole number >= " + min);
            }
            return v.asLong();
        }

        private static <E extends Enum<E>> E enumOf(Class<E> type, JsonNode v, String at) {
            try {
                return Enum.valueOf(type, v.asText().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new Problem(at, "'" + v.asText() + "' is not one of " + java.util.Arrays.toString(type.getEnumConstants()));
            }
        }

        private static <E extends Enum<E>> Set<E> enums(Class<E> type, JsonNode parent, String field, String at) {
            JsonNode list = parent.get(field);
            if (list == null) {
                return Set.of();
            }
            if (!list.isArray()) {
                throw new Problem(at + "/" + field, "must be a list");
            }
            Set<E> out = EnumSet.noneOf(type);
            for (int i = 0; i < list.size(); i++) {
                out.add(enumOf(type, list.get(i), at + "/" + field + "/" + i));
            }
            return out;
        }

        private static Set<String> texts(JsonNode parent, String field, String at) {
            JsonNode list = parent.get(field);
            if (list == null) {
                return Set.of();
            }
            Set<String> out = new LinkedHashSet<>();
            for (int i = 0; i < list.size(); i++) {
                if (!list.get(i).isTextual()) {
                    throw new Problem(at + "/" + field + "/" + i, "must be text");
                }
                out.add(list.get(i).asText());
            }
            return out;
        }

        private static TimeBand timeBand(String name, JsonNode node, String at) {
            object(node, at);
            Set<DayOfWeek> days = node.path("days").isMissingNode() ? EnumSet.allOf(DayOfWeek.class)
                    : enums(DayOfWeek.class, node, "days", at);
            try {
                return new TimeBand(name, days, LocalTime.parse(text(node, "from", at)),
                        LocalTime.parse(text(node, "until", at)));
            } catch (DateTimeException e) {
                throw new Problem(at, "from and until are times like 19:00: " + e.getMessage());
            }
        }

        private static List<Tariff.Step> steps(JsonNode list, String at) {
            if (!list.isArray() || list.isEmpty()) {
                throw new Problem(at, "must be a non-empty list of steps");
            }
            List<Tariff.Step> steps = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                JsonNode s = list.get(i);
                String here = at + "/" + i;
                object(s, here);
                long until = number(s, "until", here, Long.MAX_VALUE, 1);
                steps.add(new Tariff.Step(until, number(s, "block", here, Long.MIN_VALUE, 1),
                        number(s, "price", here, Long.MIN_VALUE, 0)));
            }
            return steps;
        }

        private static Tariff tariff(String id, JsonNode node, String at) {
            object(node, at);
            Map<String, List<Tariff.Step>> bands = new LinkedHashMap<>();
            node.path("bands").properties().forEach(e -> bands.put(e.getKey(),
                    steps(e.getValue(), at + "/bands/" + e.getKey())));
            JsonNode rounding = node.path("rounding");
            try {
                return new Tariff(id, enumOf(Unit.class, node.path("unit"), at + "/unit"), steps(node.path("steps"),
                        at + "/steps"), rounding.isMissingNode() ? Tariff.Rounding.UP
                        : enumOf(Tariff.Rounding.class, rounding, at + "/rounding"),
                        number(node, "minimumCharge", at, 0, 0), bands);
            } catch (CatalogException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw new Problem(at, e.getMessage());
            }
        }

        private static Catalog.Service service(String name, JsonNode node, String at) {
            object(node, at);
            Set<Long> groups = new LinkedHashSet<>();
            JsonNode list = node.path("ratingGroups");
            for (int i = 0; i < list.size(); i++) {
                JsonNode g = list.get(i);
                if (!g.isIntegralNumber() || g.asLong() < 0 || g.asLong() > 0xFFFF_FFFFL) {
                    throw new Problem(at + "/ratingGroups/" + i, "a rating group is an Unsigned32");
                }
                groups.add(g.asLong());
            }
            JsonNode money = node.get("moneyTariff");
            try {
                return new Catalog.Service(name, enumOf(Unit.class, node.path("unit"), at + "/unit"), groups,
                        number(node, "defaultQuota", at, Long.MIN_VALUE, 1), money == null ? null : money.asText());
            } catch (IllegalArgumentException e) {
                throw new Problem(at, e.getMessage());
            }
        }

        private static Rule rule(JsonNode node, String at) {
            object(node, at);
            JsonNode when = node.path("when");
            String w = at + "/when";
            JsonNode then = node.path("then");
            object(then, at + "/then");
            Rule.Decision decision;
            if (then.has("charge")) {
                decision = new Rule.Decision.Charge(text(then, "charge", at + "/then"));
            } else if (then.path("free").asBoolean(false)) {
                decision = new Rule.Decision.Free();
            } else if (then.has("deny")) {
                decision = new Rule.Decision.Deny(text(then, "deny", at + "/then"));
            } else {
                throw new Problem(at + "/then", "must be {\"charge\": TARIFF}, {\"free\": true} or {\"deny\": REASON}");
            }
            JsonNode roaming = when.get("callingRoaming");
            JsonNode service = node.get("service");
            return new Rule(text(node, "name", at), service == null ? null : service.asText(),
                    enums(NetworkType.class, when, "callingNetwork", w), enums(TerminalType.class, when, "callingTerminal", w),
                    roaming == null ? null : roaming.asBoolean(), enums(NetworkType.class, when, "calledNetwork", w),
                    enums(TerminalType.class, when, "calledTerminal", w), texts(when, "outlets", w),
                    texts(when, "timeBands", w), decision);
        }

        private static OutletPolicy outlet(JsonNode node, String at) {
            if (node.isTextual() && node.asText().equalsIgnoreCase("NO_CHECK")) {
                return new OutletPolicy.NoCheck();
            }
            if (node.isObject() && node.has("check")) {
                return new OutletPolicy.Check(number(node, "check", at, Long.MIN_VALUE, 0));
            }
            throw new Problem(at, "must be \"NO_CHECK\" or {\"check\": THRESHOLD}");
        }
    }
}
