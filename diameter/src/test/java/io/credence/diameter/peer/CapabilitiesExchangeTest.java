package io.credence.diameter.peer;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DecodeResult;
import io.credence.diameter.codec.DiameterCodec;
import io.credence.diameter.codec.DiameterMessage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class CapabilitiesExchangeTest {
    static final LocalIdentity OCS = new LocalIdentity("ocs.example.net", "example.net",
            List.of(new byte[] {127, 0, 0, 1}), 0, "Credence", 1);
    final CapabilitiesExchange exchange = new CapabilitiesExchange(OCS, Set.of("pgw.example.net", "scscf.example.net"));

    static DiameterMessage cer(String host, List<Avp> applications) {
        List<Avp> avps = new ArrayList<>(List.of(
                Avps.utf8(264, 0, true, host),
                Avps.utf8(296, 0, true, "example.net"),
                Avps.address(257, 0, true, new byte[] {10, 0, 0, 7}),
                Avps.unsigned32(266, 0, true, 10415),
                Avps.utf8(269, 0, false, "test client")));
        avps.addAll(applications);
        return new DiameterMessage(DiameterMessage.FLAG_REQUEST, 257, 0, 11, 22, avps);
    }

    static long resultCode(DiameterMessage answer) {
        return answer.find(268, 0).orElseThrow().unsigned32();
    }

    @Test
    void aGatewayOfferingCreditControlIsAcceptedAndTheAnswerEchoesItsIdentifiers() {
        CapabilitiesExchange.Decision decision = exchange.answer(cer("pgw.example.net",
                List.of(Avps.unsigned32(258, 0, true, 4))));
        assertThat(decision).isInstanceOf(CapabilitiesExchange.Decision.Accepted.class);
        DiameterMessage cea = decision.answer();
        assertThat(resultCode(cea)).isEqualTo(2001);
        assertThat(cea.isRequest()).isFalse();
        assertThat(cea.hopByHop()).isEqualTo(11);
        assertThat(cea.endToEnd()).isEqualTo(22);
        assertThat(cea.find(264, 0).orElseThrow().utf8()).isEqualTo("ocs.example.net");
        assertThat(cea.find(258, 0).orElseThrow().unsigned32()).isEqualTo(4);
        DiameterCodec codec = new DiameterCodec(4096);
        assertThat(codec.decode(codec.encode(cea))).isInstanceOf(DecodeResult.Decoded.class);
    }

    @Test
    void anImsNodeAnnouncingCreditControlOnlyAsVendorSpecificIsAnsweredInThatFormOnce() {
        // Kamailio's cdp routes Ro by (application 4, vendor 10415): a CEA with the bare application
        // left it with "no connected peer for app_id 4 and vendor id 10415", and one naming the
        // application in both forms is refused ("Too many applications for this peer")
        Avp vendorSpecific = Avps.grouped(260, 0, true, List.of(Avps.unsigned32(266, 0, true, 10415),
                Avps.unsigned32(258, 0, true, 4)));
        CapabilitiesExchange.Decision decision = exchange.answer(cer("scscf.example.net", List.of(
                Avps.unsigned32(265, 0, true, 10415), vendorSpecific)));
        assertThat(decision).isInstanceOf(CapabilitiesExchange.Decision.Accepted.class);
        DiameterMessage cea = decision.answer();
        assertThat(cea.findAll(258, 0)).as("no bare Auth-Application-Id beside the vendor-specific one").isEmpty();
        assertThat(cea.findAll(260, 0)).hasSize(1);
        List<Avp> members = cea.find(260, 0).orElseThrow().grouped();
        assertThat(members).extracting(Avp::code).containsExactly(266L, 258L);
        assertThat(members.get(0).unsigned32()).isEqualTo(10415);
        assertThat(members.get(1).unsigned32()).isEqualTo(4);
        assertThat(cea.findAll(265, 0)).extracting(Avp::unsigned32).containsExactly(10415L);
    }

    @Test
    void aBareOfferIsAnsweredBareAndOfTwoFormsTheFirstOfferedIsEchoed() {
        Avp bare = Avps.unsigned32(258, 0, true, 4);
        Avp vendorSpecific = Avps.grouped(260, 0, true, List.of(Avps.unsigned32(266, 0, true, 10415),
                Avps.unsigned32(258, 0, true, 4)));
        DiameterMessage bareFirst = exchange.answer(cer("pgw.example.net", List.of(bare, vendorSpecific))).answer();
        assertThat(bareFirst.findAll(258, 0)).hasSize(1);
        assertThat(bareFirst.findAll(260, 0)).isEmpty();
        DiameterMessage vendorFirst = exchange.answer(cer("pgw.example.net", List.of(vendorSpecific, bare))).answer();
        assertThat(vendorFirst.findAll(258, 0)).isEmpty();
        assertThat(vendorFirst.findAll(260, 0)).hasSize(1);
        // a relay agent offers the relay id: answered with credit control, bare
        DiameterMessage relay = exchange.answer(cer("pgw.example.net", List.of(Avps.unsigned32(258, 0, true,
                0xFFFF_FFFFL)))).answer();
        assertThat(relay.find(258, 0).orElseThrow().unsigned32()).isEqualTo(4);
    }

    @Test
    void aConfiguredPeerWithoutHostIpAddressIsAcceptedWithAWarningAnUnknownOneIsNot() {
        DiameterMessage full = cer("scscf.example.net", List.of(Avps.unsigned32(258, 0, true, 4)));
        DiameterMessage noAddress = new DiameterMessage(full.flags(), 257, 0, 1, 1,
                full.avps().stream().filter(a -> a.code() != 257).toList());
        CapabilitiesExchange.Decision decision = exchange.answer(noAddress);
        assertThat(decision).isInstanceOf(CapabilitiesExchange.Decision.Accepted.class);
        assertThat(((CapabilitiesExchange.Decision.Accepted) decision).warnings()).singleElement()
                .asString().contains("Host-IP-Address");
        assertThat(resultCode(decision.answer())).isEqualTo(2001);

        DiameterMessage stranger = new DiameterMessage(full.flags(), 257, 0, 1, 1, noAddress.avps().stream()
                .map(a -> a.code() == 264 ? Avps.utf8(264, 0, true, "intruder.example.org") : a).toList());
        assertThat(resultCode(exchange.answer(stranger).answer())).isEqualTo(3010);
    }

    @Test
    void aConfiguredPeerMissingVendorIdIsRefusedNamingIt() {
        DiameterMessage full = cer("pgw.example.net", List.of(Avps.unsigned32(258, 0, true, 4)));
        DiameterMessage withoutVendor = new DiameterMessage(full.flags(), 257, 0, 1, 1,
                full.avps().stream().filter(a -> a.code() != 266).toList());
        CapabilitiesExchange.Decision decision = exchange.answer(withoutVendor);
        assertThat(resultCode(decision.answer())).isEqualTo(5005);
        assertThat(((CapabilitiesExchange.Decision.Refused) decision).failedAvp().code()).isEqualTo(266);
    }

    @Test
    void aPeerThatIsNotConfiguredIsRefusedAsUnknownWithTheErrorBit() {
        CapabilitiesExchange.Decision decision = exchange.answer(cer("intruder.example.org",
                List.of(Avps.unsigned32(258, 0, true, 4))));
        assertThat(decision).isInstanceOf(CapabilitiesExchange.Decision.Refused.class);
        assertThat(resultCode(decision.answer())).isEqualTo(3010);
        assertThat(decision.answer().isError()).isTrue();
    }

    @Test
    void aPeerWithoutCreditControlHasNoCommonApplication() {
        CapabilitiesExchange.Decision decision = exchange.answer(cer("pgw.example.net",
                List.of(Avps.unsigned32(258, 0, true, 16777238))));
        assertThat(((CapabilitiesExchange.Decision.Refused) decision).resultCode()).isEqualTo(5010);
    }

    @Test
    void aMissingOriginHostIsAMissingAvpNamedInFailedAvp() {
        DiameterMessage full = cer("pgw.example.net", List.of(Avps.unsigned32(258, 0, true, 4)));
        DiameterMessage withoutHost = new DiameterMessage(full.flags(), 257, 0, 1, 1,
                full.avps().stream().filter(a -> a.code() != 264).toList());
        CapabilitiesExchange.Decision decision = exchange.answer(withoutHost);
        assertThat(resultCode(decision.answer())).isEqualTo(5005);
        Avp failed = decision.answer().find(279, 0).orElseThrow().grouped().get(0);
        assertThat(failed.code()).isEqualTo(264);
    }

    @Test
    void aMalformedAddressIsAnInvalidAvpValue() {
        DiameterMessage full = cer("pgw.example.net", List.of(Avps.unsigned32(258, 0, true, 4)));
        List<Avp> avps = new ArrayList<>(full.avps());
        avps.replaceAll(a -> a.code() == 257 ? new Avp(257, Avp.FLAG_MANDATORY, 0, new byte[] {0, 1, 10}) : a);
        CapabilitiesExchange.Decision decision = exchange.answer(new DiameterMessage(full.flags(), 257, 0, 1, 1, avps));
        assertThat(resultCode(decision.answer())).isEqualTo(5004);
        assertThat(decision.answer().find(279, 0)).isPresent();
    }
}
