package io.credence.diameter.cc;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.codec.Dictionary;
import io.credence.ledger.Unit;
import io.credence.rating.NetworkType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Network type and outlet read from where IMS nodes and gateways put them in a CCR. */
class TerminalAttributesTest {
    private static final long V = Dictionary.VENDOR_3GPP;

    private static DiameterMessage ccr(Avp... extra) {
        CcrBuilder b = CcrBuilder.request("s;1", "scscf.test", "ims.test", "ocs.test", Codes.INITIAL_REQUEST, 0)
                .msisdn("4917012345").mscc(100, Unit.SECONDS, 60L, null);
        for (Avp a : extra) {
            b.avp(a);
        }
        return b.build(1);
    }

    private static Avp imsInformation(Avp... members) {
        return Avps.grouped(873, V, true, List.of(Avps.grouped(876, V, true, List.of(members))));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=2620112345678, LTE", "3GPP-NR-TDD, NR",
            "3GPP-UTRAN-FDD; utran-cell-id-3gpp=262011234, CS", "IEEE-802.11; i-wlan-node-id=ffeeddccbbaa, WIFI",
            "ADSL, FIXED", "GSTN, FIXED", "xDSL; dsl-location=x, FIXED", "GPON, FIXED"})
    void accessNetworkInformationInsideImsInformation(String pani, NetworkType expected) {
        DiameterMessage request = ccr(imsInformation(Avps.octets(1263, V, true, pani.getBytes())));
        assertThat(TerminalAttributes.network(request)).isEqualTo(expected);
    }

    @Test
    void ratTypeWhenThereIsNoAccessNetworkInformation() {
        assertThat(TerminalAttributes.network(ccr(Avps.octets(21, V, false, new byte[] {6})))).isEqualTo(NetworkType.LTE);
        assertThat(TerminalAttributes.network(ccr(Avps.octets(21, V, false, new byte[] {3})))).isEqualTo(NetworkType.WIFI);
        assertThat(TerminalAttributes.network(ccr(Avps.octets(21, V, false, new byte[] {99})))).isNull();
        assertThat(TerminalAttributes.network(ccr())).isNull();
    }

    @Test
    void theOutletIsTheOutgoingTrunkGroup() {
        DiameterMessage request = ccr(imsInformation(Avps.grouped(851, V, true, List.of(
                Avps.utf8(852, V, true, "trunk-in"), Avps.utf8(853, V, true, "trunk-international")))));
        assertThat(TerminalAttributes.outlet(request)).isEqualTo("trunk-international");
        assertThat(TerminalAttributes.outlet(ccr())).isNull();
    }
}
