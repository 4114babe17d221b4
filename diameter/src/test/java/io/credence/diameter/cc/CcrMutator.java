package io.credence.diameter.cc;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.AvpFormatException;
import io.credence.diameter.codec.AvpType;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterCodec;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.codec.Dictionary;
import io.credence.ledger.Unit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Seeded mutations of valid Credit-Control-Requests. A mutant starts from one of a corpus of CCRs
 * as gateways (Gy) and IMS nodes (Ro) send them, gets up to two structural changes made on the AVP
 * tree (lengths stay consistent, so the parser's checks are reached, not only the codec's) and up
 * to three byte-level ones made on the encoded frame (lengths, flags, versions and bits lie).
 * The same seed gives the same mutants, so a failure names the seed and the frame number.
 */
final class CcrMutator {
    static final int MESSAGE_BYTES_MAX = 65_536;
    static final long TGPP = Dictionary.VENDOR_3GPP;

    /** Changes made on the AVP tree; the frame stays well-framed, its content need not be valid. */
    enum TreeMutation {
        REMOVE_AVP, DUPLICATE_AVP, SPLICE_AVP, DEEP_NESTING, MANY_SMALL_AVPS, OVERLONG_UTF8, ENUM_VALUES,
        NUMERIC_BOUNDARIES, DATA_SIZE, DUPLICATE_RATING_GROUP, VENDOR_AND_MANDATORY_BITS, UNKNOWN_MANDATORY_AVP
    }

    /** Changes made on the encoded bytes. */
    enum ByteMutation {
        BIT_FLIPS, BOUNDARY_BYTES, RANDOM_BYTES, AVP_LENGTH_LIE, HEADER_LENGTH_LIE, TRUNCATE, HEADER_FLAGS,
        AVP_FLAGS, VERSION, COMMAND_AND_APPLICATION, TRAILING_BYTES
    }

    /** A mutated frame and which mutations made it (bit i of {@code tree} is TreeMutation ordinal i). */
    record Mutant(byte[] frame, int tree, int bytes) {
        String describe() {
            List<String> names = new ArrayList<>();
            for (TreeMutation t : TreeMutation.values()) {
                if ((tree & 1 << t.ordinal()) != 0) {
                    names.add(t.name());
                }
            }
            for (ByteMutation b : ByteMutation.values()) {
                if ((bytes & 1 << b.ordinal()) != 0) {
                    names.add(b.name());
                }
            }
            return names + " " + frame.length + " bytes";
        }
    }

    /** Encodes the oversized mutants too: the server must refuse them, so they must reach it. */
    private static final DiameterCodec LOOSE = new DiameterCodec(0xFF_FFFF);
    private static final int SHAPES = 11;
    private static final int TREE_MUTATIONS_MAX = 2;
    private static final int BYTE_MUTATIONS_MAX = 3;
    private static final int HEADERS_SCANNED_MAX = 512;
    private static final byte[] BOUNDARY = {0x00, (byte) 0xFF, (byte) 0x80, 0x7F};
    /** CER, RAR, CCR, ASR, STR (275), DWR, DPR, and the two ends of the range. */
    private static final int[] COMMANDS = {Codes.CAPABILITIES_EXCHANGE, Codes.RE_AUTH, Codes.CREDIT_CONTROL,
            Codes.ABORT_SESSION, 275, Codes.DEVICE_WATCHDOG, Codes.DISCONNECT_PEER, 0, 0xFF_FFFF};
    private static final long[] APPLICATIONS = {Codes.APP_COMMON, 3, Codes.APP_CREDIT_CONTROL, 16_777_238,
            Codes.APP_RELAY};
    /** Overlong forms, surrogates, bytes UTF-8 never uses, cut sequences and stray continuation bytes. */
    private static final byte[][] BAD_UTF8 = {
            {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
            {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0xAF}, {(byte) 0xC1, (byte) 0xBF},
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0x80}, {(byte) 0xE2, (byte) 0x82},
            {(byte) 0xFF, (byte) 0xFE}};

    /** Ready-made small AVPs for MANY_SMALL_AVPS: building thousands per mutant would dominate the run. */
    private static final List<List<Avp>> SMALL = smallAvps();

    private final Random random;
    private final List<String> msisdns;
    private final List<DiameterMessage> donors = new ArrayList<>();
    /** The AVP tree and encoding of each seed seen, so a corpus seed is walked and encoded once. */
    private final Map<DiameterMessage, Walked> walked = new IdentityHashMap<>();
    private static final int WALKED_MAX = 1024;

    /** A message's AVPs with their paths, and its encoding. */
    private record Walked(List<Located> all, byte[] frame) {}

    /** @param msisdns the Subscription-Id-Data the corpus names (existing and unknown subscribers) */
    CcrMutator(long seed, List<String> msisdns) {
        this.random = new Random(seed);
        this.msisdns = List.copyOf(msisdns);
        for (int shape = 0; shape < SHAPES; shape++) {
            donors.add(shape(shape, "donor;" + shape, msisdns.get(shape % msisdns.size())));
        }
    }

    Random random() {
        return random;
    }

    // ---------------------------------------------------------------- corpus

    /** One valid CCR of a random shape for a random subscriber of the list. */
    DiameterMessage seed(String sessionId) {
        return shape(random.nextInt(SHAPES), sessionId, msisdns.get(random.nextInt(msisdns.size())));
    }

    /** Every shape once per subscriber: the valid corpus (each must parse). */
    List<DiameterMessage> corpus(String sessionStem) {
        List<DiameterMessage> corpus = new ArrayList<>();
        for (int shape = 0; shape < SHAPES; shape++) {
            for (String msisdn : msisdns) {
                corpus.add(shape(shape, sessionStem + ";" + shape + ";" + msisdn, msisdn));
            }
        }
        return corpus;
    }

    private static DiameterMessage shape(int shape, String sessionId, String msisdn) {
        String ps = CreditControlConfig.CONTEXT_PS;
        String ims = CreditControlConfig.CONTEXT_IMS;
        return switch (shape) {
            case 0 -> ccr(sessionId, Codes.INITIAL_REQUEST, 0).serviceContext(ps).msisdn(msisdn)
                    .mscc(10, Unit.BYTES, 0L, null).avp(psInformation()).avp(userEquipment())
                    .avp(Avps.time(Codes.EVENT_TIMESTAMP, 0, true, 1_764_000_000L)).build(1);
            case 1 -> ccr(sessionId, Codes.UPDATE_REQUEST, 1).serviceContext(ps).msisdn(msisdn)
                    .mscc(10, Unit.BYTES, 0L, 1L << 20).mscc(20, Unit.BYTES, 500_000L, 250_000L)
                    .avp(msccWithReportingReason(30)).avp(psInformation()).build(2);
            case 2 -> ccr(sessionId, Codes.TERMINATION_REQUEST, 2).serviceContext(ps).msisdn(msisdn)
                    .mscc(10, Unit.BYTES, null, 123L).avp(Avps.integer32(Codes.TERMINATION_CAUSE, 0, true, 1))
                    .build(3);
            case 3 -> ccr(sessionId, Codes.INITIAL_REQUEST, 0).serviceContext(ims).msisdn(msisdn)
                    .subscription(1, "262011234567890").single(Unit.SECONDS, 60L, null).avp(imsInformation())
                    .build(4);
            case 4 -> ccr(sessionId, Codes.UPDATE_REQUEST, 1).serviceContext(ims).msisdn(msisdn)
                    .single(Unit.SECONDS, 60L, 60L).avp(imsInformation()).build(5);
            case 5 -> ccr(sessionId, Codes.TERMINATION_REQUEST, 2).serviceContext(ims).msisdn(msisdn)
                    .single(Unit.SECONDS, null, 42L).avp(Avps.integer32(Codes.TERMINATION_CAUSE, 0, true, 1))
                    .build(6);
            case 6 -> ccr(sessionId, Codes.EVENT_REQUEST, 0).serviceContext(CreditControlConfig.CONTEXT_SMS)
                    .msisdn(msisdn).requestedAction(Codes.DIRECT_DEBITING).single(Unit.SERVICE_UNITS, 1L, null)
                    .avp(Avps.unsigned32(Codes.SERVICE_IDENTIFIER, 0, true, 7)).build(7);
            case 7 -> ccr(sessionId, Codes.EVENT_REQUEST, 0).serviceContext(ims).msisdn(msisdn)
                    .requestedAction(Codes.CHECK_BALANCE).single(Unit.MONEY, 250L, null).build(8);
            case 8 -> ccr(sessionId, Codes.EVENT_REQUEST, 0).serviceContext(ims).msisdn(msisdn)
                    .requestedAction(Codes.PRICE_ENQUIRY).mscc(40, Unit.MONEY, 1234L, null).build(9);
            case 9 -> ccr(sessionId, Codes.EVENT_REQUEST, 0).serviceContext(ims).msisdn(msisdn)
                    .requestedAction(Codes.REFUND_ACCOUNT).single(Unit.MONEY, 100L, null).avp(imsInformation())
                    .build(10);
            default -> ccr(sessionId, Codes.INITIAL_REQUEST, 0).serviceContext(ps).msisdn(msisdn)
                    .mscc(50, Unit.MONEY, 500L, null).mscc(51, Unit.SECONDS, 0L, null)
                    .avp(Avps.utf8(Codes.USER_NAME, 0, true, "user@operator.test"))
                    .avp(Avps.octets(411, 0, true, new byte[] {1, 2, 3, 4, 5})).build(11);
        };
    }

    private static CcrBuilder ccr(String sessionId, int type, long number) {
        return CcrBuilder.request(sessionId, CcHarness.PGW.originHost(), CcHarness.PGW.originRealm(),
                CcHarness.OCS.originRealm(), type, number);
    }

    private static Avp psInformation() {
        return Avps.grouped(873, TGPP, true, List.of(Avps.grouped(874, TGPP, true, List.of(
                Avps.octets(2, TGPP, false, new byte[] {0, 0, 0x30, 0x39}),
                Avps.utf8(18, TGPP, false, "26201"),
                Avps.octets(21, TGPP, false, new byte[] {6}),
                Avps.octets(22, TGPP, false, new byte[] {(byte) 0x82, 0x62, (byte) 0xF2, 0x10, 0x01, 0x23, 0x62,
                        (byte) 0xF2, 0x10, 0x00, 0x45, 0x67, (byte) 0x89})))));
    }

    private static Avp imsInformation() {
        return Avps.grouped(873, TGPP, true, List.of(Avps.grouped(876, TGPP, true, List.of(
                Avps.grouped(823, TGPP, true, List.of(Avps.utf8(824, TGPP, true, "INVITE"))),
                Avps.integer32(829, TGPP, true, 0),
                Avps.integer32(862, TGPP, true, 6),
                Avps.utf8(830, TGPP, true, "call-7@ims.operator.test"),
                Avps.utf8(831, TGPP, true, "sip:+491701234567@ims.operator.test"),
                Avps.utf8(832, TGPP, true, "tel:+4930123456"),
                Avps.utf8(841, TGPP, true, "icid-0001")))));
    }

    private static Avp userEquipment() {
        return Avps.grouped(458, 0, false, List.of(Avps.integer32(459, 0, false, 0),
                Avps.octets(460, 0, false, "3548270312345601".getBytes(StandardCharsets.US_ASCII))));
    }

    /** An MSCC whose usage report carries 3GPP AVPs and split input/output octets. */
    private static Avp msccWithReportingReason(long ratingGroup) {
        return Avps.grouped(Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, 0, true, List.of(
                Avps.grouped(Codes.REQUESTED_SERVICE_UNIT, 0, true, List.of()),
                Avps.grouped(Codes.USED_SERVICE_UNIT, 0, true, List.of(
                        Avps.long64(Codes.CC_INPUT_OCTETS, 0, true, 4096),
                        Avps.long64(Codes.CC_OUTPUT_OCTETS, 0, true, 65_536),
                        Avps.integer32(Codes.TGPP_REPORTING_REASON, TGPP, true, 3))),
                Avps.unsigned32(Codes.RATING_GROUP, 0, true, ratingGroup),
                Avps.unsigned32(Codes.SERVICE_IDENTIFIER, 0, true, 1),
                Avps.integer32(Codes.TGPP_REPORTING_REASON, TGPP, true, 2)));
    }

    // ---------------------------------------------------------------- mutation

    /** One mutant of {@code seed}: 0..2 tree mutations, then byte mutations (at least one change in all). */
    Mutant mutate(DiameterMessage seed) {
        int treeCount = random.nextInt(TREE_MUTATIONS_MAX + 1);
        int tree = 0;
        DiameterMessage message = seed;
        for (int i = 0; i < treeCount; i++) {
            TreeMutation t = TreeMutation.values()[random.nextInt(TreeMutation.values().length)];
            message = mutateTree(message, walk(message, message == seed), t);
            tree |= 1 << t.ordinal();
            if (t == TreeMutation.DEEP_NESTING || t == TreeMutation.MANY_SMALL_AVPS) {
                break; // walking thousands of AVPs again would cost more than all the small mutants
            }
        }
        byte[] frame = message == seed ? walk(seed, true).frame.clone() : LOOSE.encode(message);
        int byteCount = treeCount == 0 ? 1 + random.nextInt(BYTE_MUTATIONS_MAX) : random.nextInt(BYTE_MUTATIONS_MAX);
        int[] headers = byteCount == 0 ? new int[0] : avpHeaders(frame);
        int bytes = 0;
        for (int i = 0; i < byteCount; i++) {
            ByteMutation b = ByteMutation.values()[random.nextInt(ByteMutation.values().length)];
            frame = mutateBytes(frame, headers, b);
            bytes |= 1 << b.ordinal();
        }
        return new Mutant(frame, tree, bytes);
    }

    /** The tree and encoding of a message, remembered for seeds (mutants are seen once). */
    private Walked walk(DiameterMessage message, boolean isSeed) {
        Walked known = walked.get(message);
        if (known != null) {
            return known;
        }
        List<Located> all = new ArrayList<>();
        locate(message.avps(), new int[0], all);
        Walked fresh = new Walked(all, isSeed ? LOOSE.encode(message) : null);
        if (isSeed) {
            if (walked.size() >= WALKED_MAX) {
                walked.clear();
            }
            walked.put(message, fresh);
        }
        return fresh;
    }

    private DiameterMessage mutateTree(DiameterMessage message, Walked tree, TreeMutation mutation) {
        List<Located> all = tree.all;
        Located at = all.get(random.nextInt(all.size()));
        List<Avp> avps = switch (mutation) {
            case REMOVE_AVP -> replace(message.avps(), at.path, 0, a -> List.of());
            case DUPLICATE_AVP -> replace(message.avps(), at.path, 0, a -> List.of(a, a));
            case SPLICE_AVP -> {
                Avp donor = randomAvp(donors.get(random.nextInt(donors.size())));
                boolean insert = random.nextBoolean();
                yield replace(message.avps(), at.path, 0, a -> insert ? List.of(a, donor) : List.of(donor));
            }
            case DEEP_NESTING -> replace(message.avps(), at.path, 0, a -> List.of(nest(a, room(message))));
            case MANY_SMALL_AVPS -> manySmall(message);
            case OVERLONG_UTF8 -> replace(message.avps(), pickText(all, at).path, 0, this::badUtf8);
            case ENUM_VALUES -> enumValue(message, all);
            case NUMERIC_BOUNDARIES -> replace(message.avps(), pickFixedSize(all, at).path, 0, this::boundaryValue);
            case DATA_SIZE -> replace(message.avps(), pickFixedSize(all, at).path, 0, this::resized);
            case DUPLICATE_RATING_GROUP -> duplicateRatingGroup(message);
            case VENDOR_AND_MANDATORY_BITS -> replace(message.avps(), at.path, 0, this::vendorAndMandatory);
            case UNKNOWN_MANDATORY_AVP -> replace(message.avps(), at.path, 0, a -> List.of(a, unknownMandatory()));
        };
        return new DiameterMessage(message.flags(), message.commandCode(), message.applicationId(), message.hopByHop(),
                message.endToEnd(), avps);
    }

    /** An AVP somewhere in a message's tree, and the indices that lead to it. */
    private record Located(int[] path, Avp avp) {}

    /** Every AVP of the tree, groups first, down through the groups the dictionary knows (as the parser goes). */
    private static void locate(List<Avp> avps, int[] prefix, List<Located> out) {
        for (int i = 0; i < avps.size(); i++) {
            int[] path = Arrays.copyOf(prefix, prefix.length + 1);
            path[prefix.length] = i;
            Avp avp = avps.get(i);
            out.add(new Located(path, avp));
            if (typeOf(avp) == AvpType.GROUPED && path.length < 8) {
                try {
                    locate(avp.grouped(), path, out);
                } catch (AvpFormatException notAGroupAnyMore) {
                    // an earlier mutation changed the data: a leaf from now on
                }
            }
        }
    }

    /** The tree with the AVP at {@code path} replaced by what {@code change} makes of it (none, one or more). */
    private static List<Avp> replace(List<Avp> avps, int[] path, int depth, Function<Avp, List<Avp>> change) {
        List<Avp> out = new ArrayList<>(avps.size() + 1);
        for (int i = 0; i < avps.size(); i++) {
            Avp avp = avps.get(i);
            if (i != path[depth]) {
                out.add(avp);
            } else if (depth == path.length - 1) {
                out.addAll(change.apply(avp));
            } else {
                out.add(new Avp(avp.code(), avp.flags(), avp.vendorId(),
                        DiameterCodec.encodeGroup(replace(avp.grouped(), path, depth + 1, change))));
            }
        }
        return out;
    }

    private static AvpType typeOf(Avp avp) {
        return Dictionary.find(avp.code(), avp.vendorId()).map(Dictionary.Definition::type).orElse(null);
    }

    private Avp randomAvp(DiameterMessage message) {
        List<Located> all = walk(message, true).all;
        return all.get(random.nextInt(all.size())).avp;
    }

    private Located pickText(List<Located> all, Located otherwise) {
        List<Located> matching = all.stream().filter(l -> typeOf(l.avp) == AvpType.UTF8_STRING
                || typeOf(l.avp) == AvpType.DIAMETER_IDENTITY || typeOf(l.avp) == AvpType.DIAMETER_URI).toList();
        return matching.isEmpty() ? otherwise : matching.get(random.nextInt(matching.size()));
    }

    private Located pickFixedSize(List<Located> all, Located otherwise) {
        List<Located> fixed = all.stream().filter(l -> typeOf(l.avp) != AvpType.GROUPED
                && (l.avp.data().length == 4 || l.avp.data().length == 8)).toList();
        return fixed.isEmpty() ? otherwise : fixed.get(random.nextInt(fixed.size()));
    }

    /** Bytes left under the message bound, sometimes a little more so the bound itself is tried. */
    private int room(DiameterMessage message) {
        int used = DiameterMessage.HEADER_LENGTH;
        for (Avp avp : message.avps()) {
            used += avp.encodedLength();
        }
        return Math.max(64, MESSAGE_BYTES_MAX - used + (random.nextInt(8) == 0 ? 64 : 0));
    }

    /**
     * {@code inner} wrapped in levels of a grouped AVP: few, a handful past any sane depth, or as many
     * as fit. Written as one array (building it level by level would copy the inside at every level).
     */
    private Avp nest(Avp inner, int room) {
        long code = switch (random.nextInt(5)) {
            case 0 -> Codes.MULTIPLE_SERVICES_CREDIT_CONTROL;
            case 1 -> Codes.SUBSCRIPTION_ID;
            case 2 -> Codes.USED_SERVICE_UNIT;
            case 3 -> 873; // Service-Information, 3GPP
            default -> inner.code();
        };
        long vendor = code == 873 ? TGPP : code == inner.code() ? inner.vendorId() : 0;
        int header = vendor == 0 ? 8 : 12;
        int innerBytes = inner.encodedLength();
        int fitting = Math.max(1, (room - innerBytes) / header);
        int levels = switch (random.nextInt(16)) {
            case 0, 1, 2, 3, 4, 5, 6 -> 2 + random.nextInt(8);
            case 7, 8, 9, 10 -> Dictionary.GROUP_DEPTH_MAX - 2 + random.nextInt(5);
            case 11, 12, 13, 14 -> 30 + random.nextInt(500);
            default -> fitting;
        };
        levels = Math.min(levels, fitting);
        int flags = (vendor == 0 ? 0 : Avp.FLAG_VENDOR) | Avp.FLAG_MANDATORY;
        byte[] data = new byte[(levels - 1) * header + innerBytes];
        for (int level = 1; level < levels; level++) {
            int at = (level - 1) * header;
            writeHeader(data, at, code, flags, data.length - at, vendor);
        }
        System.arraycopy(DiameterCodec.encodeGroup(List.of(inner)), 0, data, (levels - 1) * header, innerBytes);
        return new Avp(code, flags, vendor, data);
    }

    private static void writeHeader(byte[] out, int at, long code, int flags, int length, long vendor) {
        putU32(out, at, code);
        out[at + 4] = (byte) flags;
        putU24(out, at + 5, length);
        if (vendor != 0) {
            putU32(out, at + 8, vendor);
        }
    }

    /** Many small AVPs: empty unknown ones, copies of a number, MSCCs of distinct rating groups, Subscription-Ids. */
    private List<Avp> manySmall(DiameterMessage message) {
        List<Avp> avps = new ArrayList<>(message.avps());
        int room = room(message);
        int kind = random.nextInt(5);
        int each = switch (kind) {
            case 0 -> 8;
            case 1 -> 12;
            case 2 -> 20;
            case 3 -> 40;
            default -> 8;
        };
        int count = switch (random.nextInt(16)) {
            case 0, 1, 2, 3, 4, 5, 6, 7 -> 2 + random.nextInt(2 * CcRequest.SERVICES_PER_REQUEST_MAX);
            case 8, 9, 10, 11, 12, 13 -> 200 + random.nextInt(800);
            default -> room / each;
        };
        count = Math.max(1, Math.min(count, room / each));
        List<Avp> small = SMALL.get(kind).subList(0, count);
        if (kind == 4) {
            // a run inside one group: an MSCC with thousands of usage reports
            avps.add(Avps.grouped(Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, 0, true, small));
        } else {
            avps.addAll(random.nextBoolean() ? avps.size() : random.nextInt(avps.size() + 1), small);
        }
        return avps;
    }

    /** Per kind of MANY_SMALL_AVPS, as many as a maximal frame holds. */
    private static List<List<Avp>> smallAvps() {
        List<List<Avp>> kinds = new ArrayList<>();
        int[] sizes = {8, 12, 20, 40, 8};
        for (int kind = 0; kind < sizes.length; kind++) {
            List<Avp> small = new ArrayList<>();
            for (int i = 0; i < MESSAGE_BYTES_MAX / sizes[kind]; i++) {
                small.add(switch (kind) {
                    case 0 -> new Avp(90_000 + i % 16, 0, 0, new byte[0]);
                    case 1 -> Avps.unsigned32(Codes.CC_REQUEST_NUMBER, 0, true, i);
                    case 2 -> Avps.grouped(Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, 0, true,
                            List.of(Avps.unsigned32(Codes.RATING_GROUP, 0, true, 1000 + i)));
                    case 3 -> Avps.grouped(Codes.SUBSCRIPTION_ID, 0, true, List.of(
                            Avps.integer32(Codes.SUBSCRIPTION_ID_TYPE, 0, true, 0),
                            Avps.utf8(Codes.SUBSCRIPTION_ID_DATA, 0, true, String.format("4917%08d", i))));
                    default -> Avps.grouped(Codes.USED_SERVICE_UNIT, 0, true, List.of());
                });
            }
            kinds.add(List.copyOf(small));
        }
        return List.copyOf(kinds);
    }

    private List<Avp> badUtf8(Avp avp) {
        byte[] bad = BAD_UTF8[random.nextInt(BAD_UTF8.length)];
        byte[] data = avp.data();
        int at = data.length == 0 ? 0 : random.nextInt(data.length + 1);
        byte[] out = new byte[data.length + bad.length];
        System.arraycopy(data, 0, out, 0, at);
        System.arraycopy(bad, 0, out, at, bad.length);
        System.arraycopy(data, at, out, at + bad.length, data.length - at);
        return List.of(new Avp(avp.code(), avp.flags(), avp.vendorId(), out));
    }

    /** Values the enumerations do not define, and the edges of those they do. */
    private List<Avp> enumValue(DiameterMessage message, List<Located> all) {
        List<Located> enums = all.stream().filter(l -> l.avp.vendorId() == 0 && switch ((int) l.avp.code()) {
            case (int) Codes.CC_REQUEST_TYPE, (int) Codes.SUBSCRIPTION_ID_TYPE, (int) Codes.REQUESTED_ACTION,
                 (int) Codes.MULTIPLE_SERVICES_INDICATOR, (int) Codes.TERMINATION_CAUSE,
                 (int) Codes.AUTH_APPLICATION_ID, (int) Codes.CC_REQUEST_NUMBER, 459 -> true;
            default -> false;
        }).toList();
        if (enums.isEmpty()) {
            return message.avps();
        }
        Located at = enums.get(random.nextInt(enums.size()));
        int[] values = switch ((int) at.avp.code()) {
            case (int) Codes.CC_REQUEST_TYPE -> new int[] {0, 5, -1, 1, 2, 3, 4, Integer.MIN_VALUE, Integer.MAX_VALUE};
            case (int) Codes.SUBSCRIPTION_ID_TYPE -> new int[] {5, 7, -1, 1, 2, 3, 4, 255};
            case (int) Codes.REQUESTED_ACTION -> new int[] {4, -1, 0, 1, 2, 3, 7};
            case (int) Codes.AUTH_APPLICATION_ID -> new int[] {0, 3, 5, -1};
            case (int) Codes.CC_REQUEST_NUMBER -> new int[] {0, 1, -1, Integer.MAX_VALUE};
            default -> new int[] {0, 2, -1, 9};
        };
        int value = values[random.nextInt(values.length)];
        return replace(message.avps(), at.path, 0,
                a -> List.of(new Avp(a.code(), a.flags(), a.vendorId(), u32(value))));
    }

    private List<Avp> boundaryValue(Avp avp) {
        byte[] data = new byte[avp.data().length];
        long value = switch (random.nextInt(6)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> -1;
            case 3 -> data.length == 4 ? Integer.MIN_VALUE : Long.MIN_VALUE;
            case 4 -> data.length == 4 ? Integer.MAX_VALUE : Long.MAX_VALUE;
            default -> random.nextLong();
        };
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (value >>> 8 * (data.length - 1 - i));
        }
        return List.of(new Avp(avp.code(), avp.flags(), avp.vendorId(), data));
    }

    private List<Avp> resized(Avp avp) {
        int length = switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> avp.data().length - 1;
            case 2 -> avp.data().length + 1;
            default -> avp.data().length + 4;
        };
        return List.of(new Avp(avp.code(), avp.flags(), avp.vendorId(), Arrays.copyOf(avp.data(), length)));
    }

    private List<Avp> duplicateRatingGroup(DiameterMessage message) {
        List<Avp> msccs = message.findAll(Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, 0);
        List<Avp> avps = new ArrayList<>(message.avps());
        if (msccs.isEmpty()) {
            avps.add(Avps.grouped(Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, 0, true,
                    List.of(Avps.unsigned32(Codes.RATING_GROUP, 0, true, 10))));
            avps.add(avps.getLast());
            return avps;
        }
        avps.add(random.nextInt(avps.size() + 1), msccs.get(random.nextInt(msccs.size())));
        return avps;
    }

    /** Vendor moved on or off (the same code then names another AVP), M or P toggled. */
    private List<Avp> vendorAndMandatory(Avp avp) {
        long vendor = switch (random.nextInt(3)) {
            case 0 -> 0;
            case 1 -> TGPP;
            default -> 1 + random.nextInt(100_000);
        };
        int flags = (avp.flags() & ~Avp.FLAG_VENDOR) | (vendor == 0 ? 0 : Avp.FLAG_VENDOR);
        flags ^= random.nextBoolean() ? Avp.FLAG_MANDATORY : Avp.FLAG_PROTECTED;
        return List.of(new Avp(avp.code(), flags, vendor, avp.data()));
    }

    private Avp unknownMandatory() {
        long code = switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> 0xFFFF_FFFFL;
            case 2 -> 99_999;
            default -> random.nextInt(2000);
        };
        long vendor = random.nextBoolean() ? 0 : TGPP;
        return new Avp(code, Avp.FLAG_MANDATORY | (vendor == 0 ? 0 : Avp.FLAG_VENDOR), vendor,
                new byte[random.nextInt(9)]);
    }

    // ---------------------------------------------------------------- byte level

    private byte[] mutateBytes(byte[] frame, int[] headers, ByteMutation mutation) {
        if (frame.length == 0) {
            return frame;
        }
        byte[] f = frame.clone();
        return switch (mutation) {
            case BIT_FLIPS -> bitFlips(f);
            case BOUNDARY_BYTES -> boundaryBytes(f, headers);
            case RANDOM_BYTES -> randomBytes(f);
            case AVP_LENGTH_LIE -> avpLengthLie(f, headers);
            case HEADER_LENGTH_LIE -> {
                if (f.length >= 4) {
                    putU24(f, 1, lie(f.length, f.length));
                }
                yield f;
            }
            case TRUNCATE -> {
                byte[] cut = Arrays.copyOf(f, random.nextInt(f.length));
                if (cut.length >= 4 && random.nextBoolean()) {
                    putU24(cut, 1, cut.length); // the header agrees, so the AVPs are what is cut short
                }
                yield cut;
            }
            case HEADER_FLAGS -> {
                if (f.length > 4) {
                    f[4] = flipFlag(f[4]);
                }
                yield f;
            }
            case AVP_FLAGS -> avpFlags(f, headers);
            case VERSION -> {
                f[0] = (byte) switch (random.nextInt(4)) {
                    case 0 -> 0;
                    case 1 -> 2;
                    case 2 -> 0xFF;
                    default -> random.nextInt(256);
                };
                yield f;
            }
            case COMMAND_AND_APPLICATION -> commandAndApplication(f);
            case TRAILING_BYTES -> trailingBytes(f);
        };
    }

    private byte[] bitFlips(byte[] f) {
        for (int i = 1 + random.nextInt(8); i > 0; i--) {
            f[random.nextInt(f.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return f;
    }

    /** 0x00, 0xFF, 0x80 or 0x7F, half of them in AVP headers (code, flags, length, vendor). */
    private byte[] boundaryBytes(byte[] f, int[] headers) {
        for (int i = 1 + random.nextInt(4); i > 0; i--) {
            int at = headers.length > 0 && random.nextBoolean()
                    ? headers[random.nextInt(headers.length)] + random.nextInt(12) : random.nextInt(f.length);
            if (at < f.length) {
                f[at] = BOUNDARY[random.nextInt(BOUNDARY.length)];
            }
        }
        return f;
    }

    private byte[] randomBytes(byte[] f) {
        for (int i = 1 + random.nextInt(4); i > 0; i--) {
            f[random.nextInt(f.length)] = (byte) random.nextInt(256);
        }
        return f;
    }

    private byte[] avpLengthLie(byte[] f, int[] headers) {
        if (headers.length > 0) {
            int at = headers[random.nextInt(headers.length)];
            if (at + 8 <= f.length) {
                putU24(f, at + 5, lie(u24(f, at + 5), f.length - at));
            }
        }
        return f;
    }

    private byte[] avpFlags(byte[] f, int[] headers) {
        if (headers.length > 0) {
            int at = headers[random.nextInt(headers.length)] + 4;
            if (at < f.length) {
                f[at] = flipFlag(f[at]);
            }
        }
        return f;
    }

    /** Another command, application or both: see COMMANDS and APPLICATIONS, or any 24/32-bit value. */
    private byte[] commandAndApplication(byte[] f) {
        if (f.length < 12) {
            return f;
        }
        int which = random.nextInt(3);
        if (which != 1) {
            putU24(f, 5, random.nextInt(4) == 0 ? random.nextInt(1 << 24) : COMMANDS[random.nextInt(COMMANDS.length)]);
        }
        if (which != 0) {
            putU32(f, 8, random.nextInt(4) == 0 ? random.nextInt() & 0xFFFF_FFFFL
                    : APPLICATIONS[random.nextInt(APPLICATIONS.length)]);
        }
        return f;
    }

    /** Bytes after the last AVP, zero or random, with the header length following them or not. */
    private byte[] trailingBytes(byte[] frame) {
        int extra = new int[] {1, 2, 3, 4, 8, 12}[random.nextInt(6)];
        byte[] f = Arrays.copyOf(frame, frame.length + extra);
        if (random.nextBoolean()) {
            for (int i = frame.length; i < f.length; i++) {
                f[i] = (byte) random.nextInt(256);
            }
        }
        if (f.length >= 4 && random.nextBoolean()) {
            putU24(f, 1, f.length);
        }
        return f;
    }

    /** A length that is off: zero, short of a header, off by a few (unaligned too), or far too big. */
    private int lie(int length, int remaining) {
        int lie = switch (random.nextInt(12)) {
            case 0 -> 0;
            case 1 -> 1 + random.nextInt(11);
            case 2 -> length - 1;
            case 3 -> length + 1;
            case 4 -> length + 2 + random.nextInt(2);
            case 5 -> length - 4;
            case 6 -> length + 4;
            case 7 -> length + 256 + random.nextInt(4096);
            case 8 -> 0xFF_FFFF;
            case 9 -> remaining;
            case 10 -> remaining + 4;
            default -> MESSAGE_BYTES_MAX + 4 * random.nextInt(3);
        };
        return lie & 0xFF_FFFF;
    }

    /** Sets, clears or toggles one bit of a flags byte (R P E T r r r r in the header, V M P r r r r r in an AVP). */
    private byte flipFlag(byte flags) {
        int bit = 1 << random.nextInt(8);
        return (byte) switch (random.nextInt(3)) {
            case 0 -> flags | bit;
            case 1 -> flags & ~bit;
            default -> flags ^ bit;
        };
    }

    /** Offsets of AVP headers in a frame, top level and inside known groups, as far as they read sanely. */
    static int[] avpHeaders(byte[] frame) {
        int[] out = new int[HEADERS_SCANNED_MAX];
        int count = scan(frame, DiameterMessage.HEADER_LENGTH, frame.length, 0, out, 0);
        return Arrays.copyOf(out, count);
    }

    private static int scan(byte[] f, int at, int end, int depth, int[] out, int count) {
        while (at + 8 <= end && count < out.length) {
            int flags = f[at + 4] & 0xFF;
            int length = u24(f, at + 5);
            int header = (flags & Avp.FLAG_VENDOR) != 0 ? 12 : 8;
            if (length < header || length > end - at) {
                return count;
            }
            out[count++] = at;
            long vendor = header == 12 ? u32(f, at + 8) : 0;
            boolean grouped = Dictionary.find(u32(f, at), vendor).map(d -> d.type() == AvpType.GROUPED).orElse(false);
            if (grouped && depth < 8) {
                count = scan(f, at + header, at + length, depth + 1, out, count);
            }
            at += (length + 3) & ~3;
        }
        return count;
    }

    // ---------------------------------------------------------------- big-endian helpers

    static int u24(byte[] b, int at) {
        return ((b[at] & 0xFF) << 16) | ((b[at + 1] & 0xFF) << 8) | (b[at + 2] & 0xFF);
    }

    static long u32(byte[] b, int at) {
        return ((long) u24(b, at) << 8) | (b[at + 3] & 0xFF);
    }

    static void putU24(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 16);
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) v;
    }

    static void putU32(byte[] b, int at, long v) {
        b[at] = (byte) (v >>> 24);
        putU24(b, at + 1, (int) v);
    }

    private static byte[] u32(int value) {
        byte[] data = new byte[4];
        putU32(data, 0, value);
        return data;
    }
}
