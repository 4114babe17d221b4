package io.credence.records.cdr;

import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A usage record as the CHF charging record of TS 32.298 (section 5.2.5.2, module
 * {@code CHFChargingDataTypes}, kept in {@code records/src/main/asn1}): {@code CHFRecord ::= CHOICE
 * { chargingFunctionRecord [200] ChargingRecord }}, BER-encoded with BouncyCastle's ASN.1 classes,
 * the tags and types as the module gives them (IMPLICIT TAGS).
 *
 * <p>One record per charged report, the way a CHF writes a partial record at each charging event:
 * <pre>
 *   [0]  recordType                     chargingFunctionRecord (200)
 *   [1]  recordingNetworkFunctionID     this CHF's NF instance id
 *   [2]  subscriberIdentifier           eND-USER-PRIVATE: the account charged (mediation maps it to
 *                                       the subscriber; the engine charges accounts, not SUPIs)
 *   [3]  nFunctionConsumerInformation   sMF for Nchf, pGWCSMF for Gy/Ro (Diameter)
 *   [5]  listOfMultipleUnitUsage        the rating group, its uPFID, one used-unit container:
 *                                       time [1] / dataTotalVolume [4] / serviceSpecificUnits [7]
 *   [6]  recordOpeningTime              when it was charged (UTC)
 *   [7]  duration                       the seconds used, for time; else 0
 *   [9]  causeForRecClosing             partialRecord (1): the session's records share [16]
 *   [11] localRecordSequenceNumber      this node's running count of CDRs
 *   [12] recordExtensions               the usage record's id (readers keep one record per id: a
 *                                       restart writes the CDRs of replayed charges again), the
 *                                       price and its currency
 *   [16] chargingSessionIdentifier      the charging session (Nchf: "nchf;" + ChargingDataRef)
 *   [17] serviceSpecificationInformation the rated service
 * </pre>
 */
public final class ChfRecords {
    /** The arc of Credence's own record extensions: a UUID OID (X.667), needing no registration. */
    static final ASN1ObjectIdentifier CREDENCE_ARC = new ASN1ObjectIdentifier(
            "2.25.221006818677404423793618553160902601545");
    /** recordExtensions: the usage record's id (UTF8String). */
    public static final ASN1ObjectIdentifier RECORD_ID = CREDENCE_ARC.branch("1");
    /** recordExtensions: the price in minor units (INTEGER). */
    public static final ASN1ObjectIdentifier PRICE = CREDENCE_ARC.branch("2");
    /** recordExtensions: the price's ISO 4217 currency (UTF8String). */
    public static final ASN1ObjectIdentifier CURRENCY = CREDENCE_ARC.branch("3");

    static final int CHARGING_FUNCTION_RECORD = 200;
    static final int SUBSCRIPTION_PRIVATE = 4;
    static final int FUNCTIONALITY_CHF = 0;
    static final int FUNCTIONALITY_SMF = 1;
    static final int FUNCTIONALITY_PGW_C_SMF = 9;
    static final int CAUSE_PARTIAL_RECORD = 1;
    /** NetworkFunctionName is an IA5String of 1..36 characters. */
    static final int NF_NAME_LENGTH_MAX = 36;

    private ChfRecords() {
    }

    /** Whether a usage record is a CHF CDR's: charged over Nchf or over Gy/Ro. */
    public static boolean isChfCharge(UsageRecord record) {
        return record.origin().equals("nchf") || record.origin().equals("diameter");
    }

    /**
     * The BER encoding of the CHFRecord.
     *
     * @param nfInstanceId   this CHF's NF instance id (36 characters)
     * @param localSequence  the node's running CDR count, 0..2^32-1
     */
    public static byte[] encode(UsageRecord r, String nfInstanceId, long localSequence) {
        ASN1EncodableVector record = new ASN1EncodableVector();
        record.add(implicit(0, new ASN1Integer(CHARGING_FUNCTION_RECORD)));
        record.add(implicit(1, new DERIA5String(nfInstanceId)));
        record.add(implicit(2, new DERSet(new ASN1Encodable[] {implicit(0, new ASN1Enumerated(SUBSCRIPTION_PRIVATE)),
                implicit(1, new DERUTF8String(r.accountId()))})));
        record.add(implicit(3, new DERSequence(implicit(0, new ASN1Enumerated(functionality(r.origin()))))));
        if (r.ratingGroup() != UsageRecord.RATING_GROUP_NONE) {
            ASN1EncodableVector usage = new ASN1EncodableVector();
            usage.add(implicit(0, new ASN1Integer(r.ratingGroup())));
            ASN1EncodableVector container = new ASN1EncodableVector();
            switch (r.unit()) {
                case SECONDS -> container.add(implicit(1, new ASN1Integer(r.rawUnits())));
                case BYTES -> container.add(implicit(4, new ASN1Integer(r.rawUnits())));
                case SERVICE_UNITS -> container.add(implicit(7, new ASN1Integer(r.rawUnits())));
                case MONEY -> { } // not a metered unit: the price extension says what it cost
            }
            usage.add(implicit(1, new DERSequence(new DERSequence(container))));
            String upf = r.attributes().get("upf");
            if (upf != null && !upf.isEmpty() && upf.length() <= NF_NAME_LENGTH_MAX && isIa5(upf)) {
                usage.add(implicit(2, new DERIA5String(upf)));
            }
            record.add(implicit(5, new DERSequence(new DERSequence(usage))));
        }
        record.add(implicit(6, new DEROctetString(timeStamp(r.atMillis()))));
        record.add(implicit(7, new ASN1Integer(r.unit() == Unit.SECONDS ? r.rawUnits() : 0)));
        record.add(implicit(9, new ASN1Integer(CAUSE_PARTIAL_RECORD)));
        record.add(implicit(11, new ASN1Integer(localSequence)));
        ASN1EncodableVector extensions = new ASN1EncodableVector();
        extensions.add(extension(RECORD_ID, new DERUTF8String(r.recordId())));
        if (r.currency() != null) {
            extensions.add(extension(PRICE, new ASN1Integer(r.price())));
            extensions.add(extension(CURRENCY, new DERUTF8String(r.currency())));
        }
        record.add(implicit(12, new DERSet(extensions)));
        if (r.sessionId() != null) {
            record.add(implicit(16, new DEROctetString(r.sessionId().getBytes(StandardCharsets.UTF_8))));
        }
        record.add(implicit(17, new DEROctetString(r.service().getBytes(StandardCharsets.UTF_8))));
        try {
            return new DERTaggedObject(false, CHARGING_FUNCTION_RECORD, new DERSet(record)).getEncoded(ASN1Encoding.DER);
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
    }

    private static int functionality(String origin) {
        return switch (origin) {
            case "nchf" -> FUNCTIONALITY_SMF;
            case "diameter" -> FUNCTIONALITY_PGW_C_SMF;
            default -> FUNCTIONALITY_CHF;
        };
    }

    /** ManagementExtension: identifier, significance left at its default, information [2] (an open type: explicit). */
    private static ASN1Encodable extension(ASN1ObjectIdentifier id, ASN1Encodable value) {
        return new DERSequence(new ASN1Encodable[] {id, new DERTaggedObject(true, 2, value)});
    }

    private static ASN1Encodable implicit(int tag, ASN1Encodable value) {
        return new DERTaggedObject(false, tag, value);
    }

    private static boolean isIa5(String text) {
        return text.chars().allMatch(c -> c < 0x80);
    }

    /**
     * TimeStamp: {@code YYMMDDhhmmssShhmm} in 9 octets, the digits BCD (two per octet, the first in
     * the high nibble), the sign in ASCII; UTC here, so always {@code +0000}.
     */
    static byte[] timeStamp(long atMillis) {
        ZonedDateTime t = Instant.ofEpochMilli(atMillis).atZone(ZoneOffset.UTC);
        return new byte[] {bcd(t.getYear() % 100), bcd(t.getMonthValue()), bcd(t.getDayOfMonth()), bcd(t.getHour()),
                bcd(t.getMinute()), bcd(t.getSecond()), (byte) '+', 0, 0};
    }

    private static byte bcd(int twoDigits) {
        return (byte) ((twoDigits / 10) << 4 | twoDigits % 10);
    }

    // ---------------------------------------------------------------- reading back

    /**
     * A CHFRecord read back, for {@code credence records cdr}: the fields this server writes, by
     * their TS 32.298 names; fields it does not know are listed by tag.
     */
    public static Map<String, Object> decode(byte[] ber) {
        Map<String, Object> out = new LinkedHashMap<>();
        ASN1TaggedObject choice;
        try {
            choice = ASN1TaggedObject.getInstance(ASN1Primitive.fromByteArray(ber));
        } catch (IOException | IllegalArgumentException bad) {
            throw new IllegalArgumentException("not a BER CHFRecord: " + bad.getMessage(), bad);
        }
        if (choice.getTagNo() != CHARGING_FUNCTION_RECORD) {
            throw new IllegalArgumentException("not a chargingFunctionRecord [200]: tag [" + choice.getTagNo() + "]");
        }
        ASN1Set fields = ASN1Set.getInstance(choice, false);
        List<Integer> unknown = new ArrayList<>();
        for (ASN1Encodable f : fields) {
            ASN1TaggedObject field = ASN1TaggedObject.getInstance(f);
            switch (field.getTagNo()) {
                case 0 -> out.put("recordType", integer(field));
                case 1 -> out.put("recordingNetworkFunctionID", DERIA5String.getInstance(field, false).getString());
                case 2 -> {
                    Map<String, Object> id = new LinkedHashMap<>();
                    for (ASN1Encodable part : ASN1Set.getInstance(field, false)) {
                        ASN1TaggedObject p = ASN1TaggedObject.getInstance(part);
                        if (p.getTagNo() == 0) {
                            id.put("subscriptionIDType", ASN1Enumerated.getInstance(p, false).getValue().intValue());
                        } else if (p.getTagNo() == 1) {
                            id.put("subscriptionIDData", DERUTF8String.getInstance(p, false).getString());
                        }
                    }
                    out.put("subscriberIdentifier", id);
                }
                case 3 -> out.put("nFunctionConsumerInformation", Map.of("networkFunctionality",
                        ASN1Enumerated.getInstance(ASN1TaggedObject.getInstance(ASN1Sequence.getInstance(field, false)
                                .getObjectAt(0)), false).getValue().intValue()));
                case 5 -> out.put("listOfMultipleUnitUsage", unitUsages(ASN1Sequence.getInstance(field, false)));
                case 6 -> out.put("recordOpeningTime", timeStampText(ASN1OctetString.getInstance(field, false).getOctets()));
                case 7 -> out.put("duration", integer(field));
                case 9 -> out.put("causeForRecClosing", integer(field));
                case 11 -> out.put("localRecordSequenceNumber", integer(field));
                case 12 -> out.put("recordExtensions", extensions(ASN1Set.getInstance(field, false)));
                case 16 -> out.put("chargingSessionIdentifier", utf8(field));
                case 17 -> out.put("serviceSpecificationInformation", utf8(field));
                default -> unknown.add(field.getTagNo());
            }
        }
        if (!unknown.isEmpty()) {
            out.put("otherFields", unknown);
        }
        return out;
    }

    private static List<Map<String, Object>> unitUsages(ASN1Sequence list) {
        List<Map<String, Object>> usages = new ArrayList<>();
        for (ASN1Encodable item : list) {
            Map<String, Object> usage = new LinkedHashMap<>();
            for (ASN1Encodable f : ASN1Sequence.getInstance(item)) {
                ASN1TaggedObject field = ASN1TaggedObject.getInstance(f);
                switch (field.getTagNo()) {
                    case 0 -> usage.put("ratingGroup", integer(field));
                    case 1 -> {
                        List<Map<String, Object>> containers = new ArrayList<>();
                        for (ASN1Encodable c : ASN1Sequence.getInstance(field, false)) {
                            Map<String, Object> container = new LinkedHashMap<>();
                            for (ASN1Encodable cf : ASN1Sequence.getInstance(c)) {
                                ASN1TaggedObject x = ASN1TaggedObject.getInstance(cf);
                                container.put(switch (x.getTagNo()) {
                                    case 1 -> "time";
                                    case 4 -> "dataTotalVolume";
                                    case 7 -> "serviceSpecificUnits";
                                    default -> "[" + x.getTagNo() + "]";
                                }, integer(x));
                            }
                            containers.add(container);
                        }
                        usage.put("usedUnitContainers", containers);
                    }
                    case 2 -> usage.put("uPFID", DERIA5String.getInstance(field, false).getString());
                    default -> usage.put("[" + field.getTagNo() + "]", "...");
                }
            }
            usages.add(usage);
        }
        return usages;
    }

    private static Map<String, Object> extensions(ASN1Set set) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (ASN1Encodable e : set) {
            ASN1Sequence ext = ASN1Sequence.getInstance(e);
            ASN1ObjectIdentifier id = ASN1ObjectIdentifier.getInstance(ext.getObjectAt(0));
            ASN1Primitive value = ASN1TaggedObject.getInstance(ext.getObjectAt(ext.size() - 1)).getBaseObject()
                    .toASN1Primitive();
            String name = id.equals(RECORD_ID) ? "recordId" : id.equals(PRICE) ? "price"
                    : id.equals(CURRENCY) ? "currency" : id.getId();
            out.put(name, value instanceof ASN1Integer i ? (Object) i.getValue().longValue()
                    : value instanceof DERUTF8String s ? s.getString() : value.toString());
        }
        return out;
    }

    private static long integer(ASN1TaggedObject field) {
        BigInteger value = ASN1Integer.getInstance(field, false).getValue();
        return value.longValueExact();
    }

    private static String utf8(ASN1TaggedObject field) {
        return new String(ASN1OctetString.getInstance(field, false).getOctets(), StandardCharsets.UTF_8);
    }

    /** A TimeStamp as {@code 2026-12-07T23:50:01+00:00}. */
    static String timeStampText(byte[] t) {
        if (t.length != 9) {
            return "(" + t.length + " octets)";
        }
        return String.format("20%02x-%02x-%02xT%02x:%02x:%02x%c%02x:%02x", t[0], t[1], t[2], t[3], t[4], t[5],
                (char) t[6], t[7], t[8]);
    }
}
