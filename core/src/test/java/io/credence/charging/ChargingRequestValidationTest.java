package io.credence.charging;

import io.credence.charging.ChargingRequest.Attributes;
import io.credence.charging.ChargingRequest.EventAction;
import io.credence.charging.ChargingRequest.Identity;
import io.credence.charging.ChargingRequest.Kind;
import io.credence.charging.ChargingRequest.Origin;
import io.credence.ledger.IdentityType;
import io.credence.ledger.ServiceRef;
import io.credence.rating.NetworkType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a charging request may carry, at its limits: every documented maximum is accepted and one
 * past it refused, so an adapter can map a wire request at the limit and the engine (whose commands
 * are journaled) never holds one beyond it.
 */
class ChargingRequestValidationTest {
    private static final Origin PGW = new Origin("diameter", "pgw", "pgw", "operator.test", -1);

    private static ChargingRequest request(String sessionId, long number, long clientNumber, List<Identity> identities,
                                           String serviceContext, List<ChargingRequest.ServiceUsage> services,
                                           Attributes attributes, Origin origin) {
        return new ChargingRequest(sessionId, Kind.UPDATE, number, clientNumber, 0, false, EventAction.NONE,
                identities, serviceContext, services, attributes, origin);
    }

    private static ChargingRequest withNumbers(long number, long clientNumber) {
        return request("s", number, clientNumber, List.of(), EngineConfig.CONTEXT_PS, List.of(), null, PGW);
    }

    private static String text(int length) {
        return "x".repeat(length);
    }

    @Test
    void aSessionIdIsOneTo512Characters() {
        assertThat(request(text(512), 0, 0, List.of(), EngineConfig.CONTEXT_PS, List.of(), null, PGW).sessionId())
                .hasSize(512);
        assertThatThrownBy(() -> request(text(513), 0, 0, List.of(), EngineConfig.CONTEXT_PS, List.of(), null, PGW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> request("", 0, 0, List.of(), EngineConfig.CONTEXT_PS, List.of(), null, PGW))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRequestNumberIsAnUnsigned32OrLeftToTheEngine() {
        assertThat(withNumbers(0, 0).number()).isZero();
        assertThat(withNumbers(ChargingRequest.NUMBER_MAX, 0).number()).isEqualTo(0xFFFF_FFFFL);
        assertThat(withNumbers(ChargingRequest.NUMBER_NEXT, 0).number()).isEqualTo(-1);
        assertThatThrownBy(() -> withNumbers(ChargingRequest.NUMBER_MAX + 1, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> withNumbers(-2, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theClientsOwnNumberIsAnUnsigned32OrMinusOneForNone() {
        assertThat(withNumbers(0, -1).clientNumber()).isEqualTo(-1);
        assertThat(withNumbers(0, ChargingRequest.NUMBER_MAX).clientNumber()).isEqualTo(0xFFFF_FFFFL);
        assertThatThrownBy(() -> withNumbers(0, -2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> withNumbers(0, ChargingRequest.NUMBER_MAX + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void atMostEightIdentitiesAndSixtyFourServices() {
        List<Identity> eight = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            eight.add(new Identity(IdentityType.E164, "49170000000" + i));
        }
        List<ChargingRequest.ServiceUsage> sixtyFour = new ArrayList<>();
        for (int rg = 1; rg <= 64; rg++) {
            sixtyFour.add(TestRequests.data(rg, 1L, null));
        }
        ChargingRequest full = request("s", 0, 0, eight, EngineConfig.CONTEXT_PS, sixtyFour, null, PGW);
        assertThat(full.identities()).hasSize(8);
        assertThat(full.services()).hasSize(64);

        List<Identity> nine = new ArrayList<>(eight);
        nine.add(new Identity(IdentityType.E164, "491700000009"));
        assertThatThrownBy(() -> request("s", 0, 0, nine, EngineConfig.CONTEXT_PS, sixtyFour, null, PGW))
                .isInstanceOf(IllegalArgumentException.class);
        List<ChargingRequest.ServiceUsage> sixtyFive = new ArrayList<>(sixtyFour);
        sixtyFive.add(TestRequests.data(65, 1L, null));
        assertThatThrownBy(() -> request("s", 0, 0, eight, EngineConfig.CONTEXT_PS, sixtyFive, null, PGW))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theServiceContextIsRequiredAndAtMost256Characters() {
        assertThat(request("s", 0, 0, List.of(), text(256), List.of(), null, PGW).serviceContext()).hasSize(256);
        assertThatThrownBy(() -> request("s", 0, 0, List.of(), text(257), List.of(), null, PGW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> request("s", 0, 0, List.of(), null, List.of(), null, PGW))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anIdentityValueIsOneTo128Characters() {
        assertThat(new Identity(IdentityType.NAI, text(IdentityType.VALUE_LENGTH_MAX)).value()).hasSize(128);
        assertThatThrownBy(() -> new Identity(IdentityType.NAI, text(IdentityType.VALUE_LENGTH_MAX + 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Identity(IdentityType.NAI, "")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eachAttributeTextIsAtMost256Characters() {
        Attributes longest = new Attributes(NetworkType.LTE, text(256), text(256), null, false, text(256));
        assertThat(longest.servedImei()).hasSize(256);
        assertThat(longest.visitedPlmn()).hasSize(256);
        assertThat(longest.outlet()).hasSize(256);
        assertThatThrownBy(() -> new Attributes(null, text(257), null, null, false, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Attributes(null, null, text(257), null, false, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Attributes(null, null, null, null, false, text(257)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eachOriginFieldIsAtMost256CharactersAndNeverNull() {
        Origin longest = new Origin(text(256), text(256), text(256), text(256), 10415);
        assertThat(longest.clientRealm()).hasSize(256);
        assertThatThrownBy(() -> new Origin(text(257), "", "", "", -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Origin("nchf", "", "", text(257), -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Origin("nchf", null, "", "", -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void attributesAndOriginAreKeptWhenGivenAndNoneWhenLeftOut() {
        Attributes roaming = new Attributes(NetworkType.LTE, null, "26202", null, false, null);
        ChargingRequest given = request("s", 0, 0, List.of(), EngineConfig.CONTEXT_PS, List.of(), roaming, PGW);
        assertThat(given.attributes()).isSameAs(roaming);
        assertThat(given.origin()).isSameAs(PGW);
        ChargingRequest bare = request("s", 0, 0, List.of(), EngineConfig.CONTEXT_PS, List.of(), null, null);
        assertThat(bare.attributes()).isSameAs(Attributes.NONE);
        assertThat(bare.origin()).isSameAs(Origin.NONE);
    }

    @Test
    void anEventNamesItsActionAndNoOtherKindDoes() {
        assertThatThrownBy(() -> new ChargingRequest("s", Kind.EVENT, 0, 0, 0, false, EventAction.NONE, List.of(),
                EngineConfig.CONTEXT_SMS, List.of(), null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChargingRequest("s", Kind.INITIAL, 0, 0, 0, false, EventAction.DIRECT_DEBITING,
                List.of(), EngineConfig.CONTEXT_SMS, List.of(), null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new ChargingRequest("s", Kind.EVENT, 0, 0, 0, false, EventAction.DIRECT_DEBITING, List.of(),
                EngineConfig.CONTEXT_SMS, List.of(), null, null).action()).isEqualTo(EventAction.DIRECT_DEBITING);
    }

    @Test
    void aServiceContextIsNamedWithoutTheOperatorsPrefix() {
        // TS 32.299 7.1.12: [[[[extensions.]MNC.]MCC.]Release.]service-context@domain
        assertThat(ChargingRequest.serviceContextRoot("ext.01.001.8.32260@3gpp.org")).isEqualTo("32260@3gpp.org");
        assertThat(ChargingRequest.serviceContextRoot("8.32251@3gpp.org")).isEqualTo("32251@3gpp.org");
        assertThat(ChargingRequest.serviceContextRoot("32251@3gpp.org")).isEqualTo("32251@3gpp.org");
        assertThat(ChargingRequest.serviceContextRoot(".32274@3gpp.org")).as("an empty prefix")
                .isEqualTo("32274@3gpp.org");
        assertThat(ChargingRequest.serviceContextRoot("32274")).as("no domain: taken as it is").isEqualTo("32274");
    }

    @Test
    void amountsNameTheirUnitAndAreNeverNegative() {
        assertThatThrownBy(() -> TestRequests.data(10, -1L, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChargingRequest.ServiceUsage(null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(TestRequests.data(10, 0L, 0L).requested()).containsEntry(io.credence.ledger.Unit.BYTES, 0L);
        assertThat(new ChargingRequest.ServiceUsage(ServiceKey.of(10, ServiceRef.NONE, null), null, null, null)
                .requested()).isNull();
    }
}
