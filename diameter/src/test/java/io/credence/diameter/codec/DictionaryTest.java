package io.credence.diameter.codec;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DictionaryTest {
    @Test
    void theAvpsGyAndRoClientsSendAreKnownWithTheirTypes() {
        for (String name : List.of("Session-Id", "Origin-Host", "Auth-Application-Id", "Vendor-Specific-Application-Id",
                "Multiple-Services-Credit-Control", "Requested-Service-Unit", "Granted-Service-Unit",
                "Used-Service-Unit", "CC-Time", "CC-Total-Octets", "CC-Input-Octets", "CC-Output-Octets",
                "CC-Service-Specific-Units", "Validity-Time", "Final-Unit-Indication", "Subscription-Id",
                "Requested-Action", "Cost-Information", "Multiple-Services-Indicator", "Termination-Cause",
                "Rating-Group", "Service-Identifier", "User-Equipment-Info", "Service-Information", "PS-Information",
                "IMS-Information", "3GPP-RAT-Type", "Called-Party-Address", "Calling-Party-Address",
                "Access-Network-Information", "Role-Of-Node", "Node-Functionality", "Outgoing-Trunk-Group-Id",
                "Quota-Holding-Time", "Time-Quota-Threshold", "Volume-Quota-Threshold", "Reporting-Reason",
                "Trigger")) {
            Dictionary.Definition d = Dictionary.named(name);
            assertThat(Dictionary.find(d.code(), d.vendorId())).contains(d);
        }
        assertThat(Dictionary.named("Rating-Group").code()).isEqualTo(432);
        assertThat(Dictionary.named("Service-Information").vendorId()).isEqualTo(Dictionary.VENDOR_3GPP);
        assertThat(Dictionary.find(432, Dictionary.VENDOR_3GPP)).as("vendor is part of the key").isEmpty();
    }

    @Test
    void everyBaseProtocolAvpOfRfc6733IsKnown() {
        // RFC 6733 section 4.5 (base protocol AVPs) and section 9.8 (accounting AVPs): an Ro client
        // such as Kamailio's ims_charging puts Accounting-Record-Type/-Number, with the M bit, in every CCR
        long[] base = {1, 25, 27, 33, 44, 50, 55, 85, 257, 258, 259, 260, 261, 262, 263, 264, 265, 266, 267, 268, 269,
            270, 271, 272, 273, 274, 276, 277, 278, 279, 280, 281, 282, 283, 284, 285, 287, 291, 292, 293, 294, 295,
            296, 297, 298, 299, 480, 483, 485};
        for (long code : base) {
            assertThat(Dictionary.find(code, 0)).as("RFC 6733 AVP %d", code).isPresent();
        }
        for (long code = 411; code <= 461; code++) {
            assertThat(Dictionary.find(code, 0)).as("RFC 4006 AVP %d", code).isPresent();
        }
        for (long code = 653; code <= 669; code++) {
            assertThat(Dictionary.find(code, 0)).as("RFC 8506 AVP %d", code).isPresent();
        }
        assertThat(Dictionary.named("Accounting-Record-Type").type()).isEqualTo(AvpType.ENUMERATED);
        assertThat(Dictionary.named("Subscription-Id-Extension").type()).isEqualTo(AvpType.GROUPED);
    }

    @Test
    void theThreeGppAvpsAreReadFromTheirTableWithTheirFormats() {
        assertThat(Dictionary.named("3GPP-IMSI").code()).isEqualTo(1);
        assertThat(Dictionary.named("SIP-Method").code()).isEqualTo(824);
        assertThat(Dictionary.named("Time-Stamps").type()).isEqualTo(AvpType.GROUPED);
        assertThat(Dictionary.named("SIP-Request-Timestamp").type()).isEqualTo(AvpType.TIME);
        assertThat(Dictionary.named("PDN-Connection-Charging-ID").vendorId()).isEqualTo(Dictionary.VENDOR_3GPP);
        assertThat(Dictionary.named("3GPP-PS-Data-Off-Status").code()).isEqualTo(4406);
        assertThat(Dictionary.all().stream().filter(d -> d.vendorId() == Dictionary.VENDOR_3GPP).count())
                .as("3GPP AVPs in the table").isGreaterThan(500);
        // a known 3GPP AVP is checked like any other: an Unsigned32 of two bytes is an invalid value
        Avp quotaHolding = new Avp(871, Avp.FLAG_VENDOR, Dictionary.VENDOR_3GPP, new byte[2]);
        assertThatThrownBy(() -> Dictionary.check(quotaHolding)).isInstanceOf(AvpFormatException.class);
    }

    @Test
    void checkFindsABadValueInsideAGroupAndNamesIt() {
        Avp badNumber = new Avp(415, Avp.FLAG_MANDATORY, 0, new byte[2]); // CC-Request-Number needs 4 bytes
        Avp mscc = Avps.grouped(456, 0, true, List.of(Avps.unsigned32(432, 0, true, 10), badNumber));
        assertThatThrownBy(() -> Dictionary.check(mscc)).isInstanceOf(AvpFormatException.class)
                .satisfies(e -> assertThat(((AvpFormatException) e).avp()).isEqualTo(badNumber));
        Dictionary.check(Avps.grouped(456, 0, true, List.of(Avps.unsigned32(432, 0, true, 10))));
        Dictionary.check(new Avp(99_999, 0, 0, new byte[1])); // unknown AVPs are the application's call
    }

    @Test
    void groupsNestedPastTheBoundAreAnInvalidValueNotAStackOverflow() {
        Avp outermost = nested(8_000); // about what a 64 KiB frame holds
        // the group at depth GROUP_DEPTH_MAX + 1 is named: its data starts after the headers above it
        Avp tooDeep = new Avp(456, Avp.FLAG_MANDATORY, 0, Arrays.copyOfRange(outermost.data(),
                8 * Dictionary.GROUP_DEPTH_MAX, outermost.data().length));
        assertThatThrownBy(() -> Dictionary.check(outermost)).isInstanceOf(AvpFormatException.class)
                .satisfies(e -> assertThat(((AvpFormatException) e).avp()).isEqualTo(tooDeep));
        Dictionary.check(nested(Dictionary.GROUP_DEPTH_MAX)); // as deep as allowed
    }

    /** MSCCs in MSCCs, {@code depth} of them, around a Rating-Group; written in one go, not level by level. */
    private static Avp nested(int depth) {
        byte[] leaf = DiameterCodec.encodeGroup(List.of(Avps.unsigned32(432, 0, true, 10)));
        byte[] data = new byte[(depth - 1) * 8 + leaf.length];
        for (int level = 0; level < depth - 1; level++) {
            int at = level * 8;
            Bytes.putU32(data, at, 456);
            data[at + 4] = (byte) Avp.FLAG_MANDATORY;
            Bytes.putU24(data, at + 5, data.length - at);
        }
        System.arraycopy(leaf, 0, data, data.length - leaf.length, leaf.length);
        return new Avp(456, Avp.FLAG_MANDATORY, 0, data);
    }
}
