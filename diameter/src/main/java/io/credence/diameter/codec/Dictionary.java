package io.credence.diameter.codec;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.credence.diameter.codec.AvpType.ADDRESS;
import static io.credence.diameter.codec.AvpType.DIAMETER_IDENTITY;
import static io.credence.diameter.codec.AvpType.DIAMETER_URI;
import static io.credence.diameter.codec.AvpType.ENUMERATED;
import static io.credence.diameter.codec.AvpType.GROUPED;
import static io.credence.diameter.codec.AvpType.INTEGER32;
import static io.credence.diameter.codec.AvpType.INTEGER64;
import static io.credence.diameter.codec.AvpType.OCTET_STRING;
import static io.credence.diameter.codec.AvpType.TIME;
import static io.credence.diameter.codec.AvpType.UNSIGNED32;
import static io.credence.diameter.codec.AvpType.UNSIGNED64;
import static io.credence.diameter.codec.AvpType.UTF8_STRING;

/**
 * The AVPs Credence understands: every RFC 6733 base protocol AVP, RFC 4006 / RFC 8506 credit
 * control, and the 3GPP AVPs that Gy and Ro clients send (vendor 10415: TS 29.061, TS 32.299 and
 * the TS 29.212/29.214 ones nested in their service information). Lookup by code and vendor, or
 * by name; {@link #check} verifies an AVP's data against its type (for 5004 with Failed-AVP).
 * An AVP that is not here passes {@link #check}; whether an unknown one with the M bit is
 * refused (5001) is the application's decision.
 */
public final class Dictionary {
    public static final long VENDOR_3GPP = Codes.VENDOR_3GPP;

    /** One AVP: its code, vendor (0 = IETF), name and data format. */
    public record Definition(long code, long vendorId, String name, AvpType type) {}

    /**
     * The RFC 6733 base protocol, RFC 4006 credit control and RFC 8506's additions (vendor 0),
     * written here; the 3GPP AVPs are data, read from {@code tgpp-avps.tsv} beside this class.
     */
    private static final List<Definition> IETF = List.of(
            // RFC 6733 base protocol: every AVP of section 4.5 and the accounting ones of 9.8
            ietf(1, "User-Name", UTF8_STRING),
            ietf(25, "Class", OCTET_STRING),
            ietf(27, "Session-Timeout", UNSIGNED32),
            ietf(33, "Proxy-State", OCTET_STRING),
            ietf(44, "Acct-Session-Id", OCTET_STRING),
            ietf(50, "Acct-Multi-Session-Id", UTF8_STRING),
            ietf(55, "Event-Timestamp", TIME),
            ietf(85, "Acct-Interim-Interval", UNSIGNED32),
            ietf(257, "Host-IP-Address", ADDRESS),
            ietf(258, "Auth-Application-Id", UNSIGNED32),
            ietf(259, "Acct-Application-Id", UNSIGNED32),
            ietf(260, "Vendor-Specific-Application-Id", GROUPED),
            ietf(261, "Redirect-Host-Usage", ENUMERATED),
            ietf(262, "Redirect-Max-Cache-Time", UNSIGNED32),
            ietf(263, "Session-Id", UTF8_STRING),
            ietf(264, "Origin-Host", DIAMETER_IDENTITY),
            ietf(265, "Supported-Vendor-Id", UNSIGNED32),
            ietf(266, "Vendor-Id", UNSIGNED32),
            ietf(267, "Firmware-Revision", UNSIGNED32),
            ietf(268, "Result-Code", UNSIGNED32),
            ietf(269, "Product-Name", UTF8_STRING),
            ietf(270, "Session-Binding", UNSIGNED32),
            ietf(271, "Session-Server-Failover", ENUMERATED),
            ietf(272, "Multi-Round-Time-Out", UNSIGNED32),
            ietf(273, "Disconnect-Cause", ENUMERATED),
            ietf(274, "Auth-Request-Type", ENUMERATED),
            ietf(276, "Auth-Grace-Period", UNSIGNED32),
            ietf(277, "Auth-Session-State", ENUMERATED),
            ietf(278, "Origin-State-Id", UNSIGNED32),
            ietf(279, "Failed-AVP", GROUPED),
            ietf(280, "Proxy-Host", DIAMETER_IDENTITY),
            ietf(281, "Error-Message", UTF8_STRING),
            ietf(282, "Route-Record", DIAMETER_IDENTITY),
            ietf(283, "Destination-Realm", DIAMETER_IDENTITY),
            ietf(284, "Proxy-Info", GROUPED),
            ietf(285, "Re-Auth-Request-Type", ENUMERATED),
            ietf(287, "Accounting-Sub-Session-Id", UNSIGNED64),
            ietf(291, "Authorization-Lifetime", UNSIGNED32),
            ietf(292, "Redirect-Host", DIAMETER_URI),
            ietf(293, "Destination-Host", DIAMETER_IDENTITY),
            ietf(294, "Error-Reporting-Host", DIAMETER_IDENTITY),
            ietf(295, "Termination-Cause", ENUMERATED),
            ietf(296, "Origin-Realm", DIAMETER_IDENTITY),
            ietf(297, "Experimental-Result", GROUPED),
            ietf(298, "Experimental-Result-Code", UNSIGNED32),
            ietf(299, "Inband-Security-Id", UNSIGNED32),
            ietf(480, "Accounting-Record-Type", ENUMERATED),
            ietf(483, "Accounting-Realtime-Required", ENUMERATED),
            ietf(485, "Accounting-Record-Number", UNSIGNED32),
            // RFC 4006 / RFC 8506 credit control
            ietf(411, "CC-Correlation-Id", OCTET_STRING),
            ietf(412, "CC-Input-Octets", UNSIGNED64),
            ietf(413, "CC-Money", GROUPED),
            ietf(414, "CC-Output-Octets", UNSIGNED64),
            ietf(415, "CC-Request-Number", UNSIGNED32),
            ietf(416, "CC-Request-Type", ENUMERATED),
            ietf(417, "CC-Service-Specific-Units", UNSIGNED64),
            ietf(418, "CC-Session-Failover", ENUMERATED),
            ietf(419, "CC-Sub-Session-Id", UNSIGNED64),
            ietf(420, "CC-Time", UNSIGNED32),
            ietf(421, "CC-Total-Octets", UNSIGNED64),
            ietf(422, "Check-Balance-Result", ENUMERATED),
            ietf(423, "Cost-Information", GROUPED),
            ietf(424, "Cost-Unit", UTF8_STRING),
            ietf(425, "Currency-Code", UNSIGNED32),
            ietf(426, "Credit-Control", ENUMERATED),
            ietf(427, "Credit-Control-Failure-Handling", ENUMERATED),
            ietf(428, "Direct-Debiting-Failure-Handling", ENUMERATED),
            ietf(429, "Exponent", INTEGER32),
            ietf(430, "Final-Unit-Indication", GROUPED),
            ietf(431, "Granted-Service-Unit", GROUPED),
            ietf(432, "Rating-Group", UNSIGNED32),
            ietf(433, "Redirect-Address-Type", ENUMERATED),
            ietf(434, "Redirect-Server", GROUPED),
            ietf(435, "Redirect-Server-Address", UTF8_STRING),
            ietf(436, "Requested-Action", ENUMERATED),
            ietf(437, "Requested-Service-Unit", GROUPED),
            ietf(438, "Restriction-Filter-Rule", OCTET_STRING),
            ietf(439, "Service-Identifier", UNSIGNED32),
            ietf(440, "Service-Parameter-Info", GROUPED),
            ietf(441, "Service-Parameter-Type", UNSIGNED32),
            ietf(442, "Service-Parameter-Value", OCTET_STRING),
            ietf(443, "Subscription-Id", GROUPED),
            ietf(444, "Subscription-Id-Data", UTF8_STRING),
            ietf(445, "Unit-Value", GROUPED),
            ietf(446, "Used-Service-Unit", GROUPED),
            ietf(447, "Value-Digits", INTEGER64),
            ietf(448, "Validity-Time", UNSIGNED32),
            ietf(449, "Final-Unit-Action", ENUMERATED),
            ietf(450, "Subscription-Id-Type", ENUMERATED),
            ietf(451, "Tariff-Time-Change", TIME),
            ietf(452, "Tariff-Change-Usage", ENUMERATED),
            ietf(453, "G-S-U-Pool-Identifier", UNSIGNED32),
            ietf(454, "CC-Unit-Type", ENUMERATED),
            ietf(455, "Multiple-Services-Indicator", ENUMERATED),
            ietf(456, "Multiple-Services-Credit-Control", GROUPED),
            ietf(457, "G-S-U-Pool-Reference", GROUPED),
            ietf(458, "User-Equipment-Info", GROUPED),
            ietf(459, "User-Equipment-Info-Type", ENUMERATED),
            ietf(460, "User-Equipment-Info-Value", OCTET_STRING),
            ietf(461, "Service-Context-Id", UTF8_STRING),
            ietf(653, "User-Equipment-Info-Extension", GROUPED),
            ietf(654, "User-Equipment-Info-IMEISV", OCTET_STRING),
            ietf(655, "User-Equipment-Info-MAC", OCTET_STRING),
            ietf(656, "User-Equipment-Info-EUI64", OCTET_STRING),
            ietf(657, "User-Equipment-Info-ModifiedEUI64", OCTET_STRING),
            ietf(658, "User-Equipment-Info-IMEI", OCTET_STRING),
            ietf(659, "Subscription-Id-Extension", GROUPED),
            ietf(660, "Subscription-Id-E164", UTF8_STRING),
            ietf(661, "Subscription-Id-IMSI", UTF8_STRING),
            ietf(662, "Subscription-Id-SIP-URI", UTF8_STRING),
            ietf(663, "Subscription-Id-NAI", UTF8_STRING),
            ietf(664, "Subscription-Id-Private", UTF8_STRING),
            ietf(665, "Redirect-Server-Extension", GROUPED),
            ietf(666, "Redirect-Address-IPAddress", ADDRESS),
            ietf(667, "Redirect-Address-URL", UTF8_STRING),
            ietf(668, "Redirect-Address-SIP-URI", UTF8_STRING),
            ietf(669, "QoS-Final-Unit-Indication", GROUPED));

    /**
     * AVPs of Credence's own that never leave the process (vendor 32473, the RFC 5612
     * documentation enterprise number): an adapter that speaks another protocol uses them to
     * carry what Diameter has no AVP for into the credit-control engine.
     */
    private static final List<Definition> INTERNAL = List.of(
            new Definition(Codes.CREDENCE_UPF_ID, Codes.VENDOR_CREDENCE, "Credence-UPF-Id", UTF8_STRING));

    private static final List<Definition> DEFINITIONS = all(IETF, TgppAvps.load(), INTERNAL);

    /**
     * Groups within groups that {@link #check} follows. A credit-control request needs five (MSCC,
     * Used-Service-Unit, CC-Money, Unit-Value, Value-Digits), 3GPP Service-Information a few more;
     * unbounded, the 8 000 levels a 64 KiB frame can hold became as many stack frames (a
     * StackOverflowError) and as many copies of everything inside.
     */
    public static final int GROUP_DEPTH_MAX = 16;

    private static final Map<Long, Definition> BY_KEY = new HashMap<>();
    private static final Map<String, Definition> BY_NAME = new HashMap<>();

    static {
        for (Definition d : DEFINITIONS) {
            if (BY_KEY.put(key(d.code(), d.vendorId()), d) != null || BY_NAME.put(d.name(), d) != null) {
                throw new IllegalStateException("AVP defined twice: " + d);
            }
        }
    }

    private Dictionary() {}

    private static Definition ietf(long code, String name, AvpType type) {
        return new Definition(code, 0, name, type);
    }

    private static List<Definition> all(List<Definition> ietf, List<Definition> tgpp, List<Definition> internal) {
        List<Definition> all = new java.util.ArrayList<>(ietf);
        all.addAll(tgpp);
        all.addAll(internal);
        return List.copyOf(all);
    }

    private static long key(long code, long vendorId) {
        return (vendorId << 32) | code;
    }

    public static Optional<Definition> find(long code, long vendorId) {
        return Optional.ofNullable(BY_KEY.get(key(code, vendorId)));
    }

    public static Definition named(String name) {
        Definition d = BY_NAME.get(name);
        if (d == null) {
            throw new IllegalArgumentException("no AVP named " + name + " in the dictionary");
        }
        return d;
    }

    public static List<Definition> all() {
        return DEFINITIONS;
    }

    /**
     * Checks a known AVP's data against its type, recursively through groups; unknown AVPs pass
     * (whether an unknown mandatory AVP is acceptable is the application's decision, 5001). A
     * group nested more than {@link #GROUP_DEPTH_MAX} deep is an invalid value.
     */
    public static void check(Avp avp) {
        check(avp, 1);
    }

    private static void check(Avp avp, int depth) {
        Definition d = BY_KEY.get(key(avp.code(), avp.vendorId()));
        if (d == null) {
            return;
        }
        if (d.type() != GROUPED) {
            d.type().check(avp);
            return;
        }
        if (depth > GROUP_DEPTH_MAX) {
            throw new AvpFormatException(avp, "nests groups more than " + GROUP_DEPTH_MAX + " deep");
        }
        for (Avp member : avp.grouped()) {
            check(member, depth + 1);
        }
    }
}
