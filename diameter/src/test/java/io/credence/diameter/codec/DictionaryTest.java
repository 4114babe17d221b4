package io.credence.diameter.codec;

import org.junit.jupiter.api.Test;

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
    void checkFindsABadValueInsideAGroupAndNamesIt() {
        Avp badNumber = new Avp(415, Avp.FLAG_MANDATORY, 0, new byte[2]); // CC-Request-Number needs 4 bytes
        Avp mscc = Avps.grouped(456, 0, true, List.of(Avps.unsigned32(432, 0, true, 10), badNumber));
        assertThatThrownBy(() -> Dictionary.check(mscc)).isInstanceOf(AvpFormatException.class)
                .satisfies(e -> assertThat(((AvpFormatException) e).avp()).isEqualTo(badNumber));
        Dictionary.check(Avps.grouped(456, 0, true, List.of(Avps.unsigned32(432, 0, true, 10))));
        Dictionary.check(new Avp(99_999, 0, 0, new byte[1])); // unknown AVPs are the application's call
    }
}
