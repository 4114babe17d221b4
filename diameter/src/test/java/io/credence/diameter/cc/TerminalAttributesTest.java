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

    @Test
    void theVisitedNetworkIsTheSgsnMccMncElseTheCellIdOfTheCallersAccessNetwork() {
        assertThat(TerminalAttributes.visitedNetwork(ccr(Avps.utf8(18, V, false, "26201")))).isEqualTo("26201");
        // the MCC+MNC opening the cell id of the caller's P-Access-Network-Info
        assertThat(TerminalAttributes.visitedNetwork(ccr(imsInformation(Avps.octets(1263, V, true,
                "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=20810ABCD1234".getBytes()))))).isEqualTo("20810");
        assertThat(TerminalAttributes.visitedNetwork(ccr())).isNull();
        assertThat(TerminalAttributes.read(ccr(Avps.utf8(18, V, false, "20810"))).visitedPlmn()).isEqualTo("20810");
    }

    @Test
    void theTerminalTypeComesFromTheImeiInAsciiOrTbcdAndTheCalledNetworkFromTheSecondAccessNetwork() {
        Avp ascii = Avps.grouped(458, 0, false, List.of(Avps.integer32(459, 0, false, 0),
                Avps.octets(460, 0, false, "8600001234567801".getBytes())));
        // TBCD: digit pairs low nibble first, 8 6 / 0 0 / 0 0 / 1 2 ...
        Avp tbcd = Avps.grouped(458, 0, false, List.of(Avps.integer32(459, 0, false, 0),
                Avps.octets(460, 0, false, new byte[] {0x68, 0x00, 0x00, 0x21, 0x43, 0x65, 0x07, 0x18})));
        Avp mac = Avps.grouped(458, 0, false, List.of(Avps.integer32(459, 0, false, 1),
                Avps.octets(460, 0, false, "8600001234567801".getBytes())));
        assertThat(TerminalAttributes.read(ccr(ascii)).servedImei()).isEqualTo("8600001234567801");
        assertThat(TerminalAttributes.read(ccr(tbcd)).servedImei()).isEqualTo("8600001234567081");
        assertThat(TerminalAttributes.read(ccr(mac)).servedImei()).isNull();

        DiameterMessage answered = ccr(imsInformation(Avps.octets(1263, V, true, "IEEE-802.11".getBytes()),
                Avps.octets(1263, V, true, "3GPP-E-UTRAN-FDD".getBytes())));
        assertThat(TerminalAttributes.network(answered)).isEqualTo(NetworkType.WIFI);
        assertThat(TerminalAttributes.read(answered).otherNetwork()).isEqualTo(NetworkType.LTE);
        assertThat(TerminalAttributes.read(ccr()).otherNetwork()).isNull();
    }

    @Test
    void aTerminatingNodeServesTheCalledParty() {
        assertThat(TerminalAttributes.terminating(ccr(imsInformation(Avps.integer32(829, V, true, 1))))).isTrue();
        assertThat(TerminalAttributes.terminating(ccr(imsInformation(Avps.integer32(829, V, true, 0))))).isFalse();
        assertThat(TerminalAttributes.terminating(ccr())).isFalse();
    }
}
