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
 * The AVPs Credence understands: the RFC 6733 base protocol, RFC 4006 credit control, and the
 * 3GPP TS 32.299 AVPs that Gy and Ro clients send (vendor 10415). Lookup by code and vendor, or
 * by name; {@link #check} verifies an AVP's data against its type (for 5004 with Failed-AVP).
 */
public final class Dictionary {
    public static final long VENDOR_3GPP = 10415;

    /** One AVP: its code, vendor (0 = IETF), name and data format. */
    public record Definition(long code, long vendorId, String name, AvpType type) {}

    private static final List<Definition> DEFINITIONS = List.of(
            // RFC 6733 base protocol
            ietf(1, "User-Name", UTF8_STRING),
            ietf(25, "Class", OCTET_STRING),
            ietf(27, "Session-Timeout", UNSIGNED32),
            ietf(33, "Proxy-State", OCTET_STRING),
            ietf(55, "Event-Timestamp", TIME),
            ietf(257, "Host-IP-Address", ADDRESS),
            ietf(258, "Auth-Application-Id", UNSIGNED32),
            ietf(259, "Acct-Application-Id", UNSIGNED32),
            ietf(260, "Vendor-Specific-Application-Id", GROUPED),
            ietf(263, "Session-Id", UTF8_STRING),
            ietf(264, "Origin-Host", DIAMETER_IDENTITY),
            ietf(265, "Supported-Vendor-Id", UNSIGNED32),
            ietf(266, "Vendor-Id", UNSIGNED32),
            ietf(267, "Firmware-Revision", UNSIGNED32),
            ietf(268, "Result-Code", UNSIGNED32),
            ietf(269, "Product-Name", UTF8_STRING),
            ietf(273, "Disconnect-Cause", ENUMERATED),
            ietf(277, "Auth-Session-State", ENUMERATED),
            ietf(278, "Origin-State-Id", UNSIGNED32),
            ietf(279, "Failed-AVP", GROUPED),
            ietf(280, "Proxy-Host", DIAMETER_IDENTITY),
            ietf(281, "Error-Message", UTF8_STRING),
            ietf(282, "Route-Record", DIAMETER_IDENTITY),
            ietf(283, "Destination-Realm", DIAMETER_IDENTITY),
            ietf(284, "Proxy-Info", GROUPED),
            ietf(285, "Re-Auth-Request-Type", ENUMERATED),
            ietf(292, "Redirect-Host", DIAMETER_URI),
            ietf(293, "Destination-Host", DIAMETER_IDENTITY),
            ietf(294, "Error-Reporting-Host", DIAMETER_IDENTITY),
            ietf(295, "Termination-Cause", ENUMERATED),
            ietf(296, "Origin-Realm", DIAMETER_IDENTITY),
            ietf(297, "Experimental-Result", GROUPED),
            ietf(298, "Experimental-Result-Code", UNSIGNED32),
            ietf(299, "Inband-Security-Id", UNSIGNED32),
            // RFC 4006 credit control
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
            // 3GPP TS 32.299 (and TS 29.061 for the 3GPP-* ones), vendor 10415
            tgpp(2, "3GPP-Charging-Id", OCTET_STRING),
            tgpp(18, "3GPP-SGSN-MCC-MNC", UTF8_STRING),
            tgpp(21, "3GPP-RAT-Type", OCTET_STRING),
            tgpp(22, "3GPP-User-Location-Info", OCTET_STRING),
            tgpp(515, "Max-Requested-Bandwidth-DL", UNSIGNED32), // TS 29.214
            tgpp(516, "Max-Requested-Bandwidth-UL", UNSIGNED32),
            tgpp(823, "Event-Type", GROUPED),
            tgpp(824, "SIP-Method", UTF8_STRING),
            tgpp(829, "Role-Of-Node", ENUMERATED),
            tgpp(830, "User-Session-Id", UTF8_STRING),
            tgpp(831, "Calling-Party-Address", UTF8_STRING),
            tgpp(832, "Called-Party-Address", UTF8_STRING),
            tgpp(841, "IMS-Charging-Identifier", UTF8_STRING),
            tgpp(851, "Trunk-Group-Id", GROUPED),
            tgpp(852, "Incoming-Trunk-Group-Id", UTF8_STRING),
            tgpp(853, "Outgoing-Trunk-Group-Id", UTF8_STRING),
            tgpp(861, "Cause-Code", INTEGER32),
            tgpp(862, "Node-Functionality", ENUMERATED),
            tgpp(868, "Time-Quota-Threshold", UNSIGNED32),
            tgpp(869, "Volume-Quota-Threshold", UNSIGNED32),
            tgpp(870, "Trigger-Type", ENUMERATED),
            tgpp(871, "Quota-Holding-Time", UNSIGNED32),
            tgpp(872, "Reporting-Reason", ENUMERATED),
            tgpp(873, "Service-Information", GROUPED),
            tgpp(874, "PS-Information", GROUPED),
            tgpp(876, "IMS-Information", GROUPED),
            tgpp(1016, "QoS-Information", GROUPED), // TS 29.212
            tgpp(1028, "QoS-Class-Identifier", ENUMERATED),
            tgpp(1250, "Called-Asserted-Identity", UTF8_STRING),
            tgpp(1251, "Requested-Party-Address", UTF8_STRING),
            tgpp(1263, "Access-Network-Information", OCTET_STRING),
            tgpp(1264, "Trigger", GROUPED),
            tgpp(2021, "Remaining-Balance", GROUPED));

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

    private static Definition tgpp(long code, String name, AvpType type) {
        return new Definition(code, VENDOR_3GPP, name, type);
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
