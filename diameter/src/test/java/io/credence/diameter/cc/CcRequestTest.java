package io.credence.diameter.cc;

import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.ledger.Unit;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Reading a CCR: what the mutation test found in CC-Money, pinned down. */
class CcRequestTest {
    static final CreditControlConfig EUR = CreditControlConfig.defaults(); // two minor digits

    @Test
    void aCcMoneyExponentFromTheWireIsBoundedBeforeAnyArithmetic() throws Exception {
        // Value-Digits 0 with Exponent 2^31-1 ran a loop 2^31 times: seconds of CPU for one request
        CcRequest free = assertTimeoutPreemptively(Duration.ofSeconds(1),
                () -> CcRequest.read(priceEnquiry(0, Integer.MAX_VALUE), EUR));
        assertThat(moneyRequested(free)).isZero();
        // Exponent 2^31-2 plus two minor digits wrapped the int around, and 5 passed for 5 cents
        assertThatThrownBy(() -> CcRequest.read(priceEnquiry(5, Integer.MAX_VALUE - 1), EUR))
                .isInstanceOfSatisfying(CcError.class,
                        e -> assertThat(e.resultCode).isEqualTo(Codes.DIAMETER_INVALID_AVP_VALUE));
        assertThatThrownBy(() -> CcRequest.read(priceEnquiry(5, Integer.MIN_VALUE), EUR))
                .isInstanceOf(CcError.class);
        // within the bound nothing changed: 1.5 EUR is 150 cents, 7 * 10^-4 EUR is finer than a cent
        assertThat(moneyRequested(CcRequest.read(priceEnquiry(15, -1), EUR))).isEqualTo(150);
        assertThat(moneyRequested(CcRequest.read(priceEnquiry(9, 16), EUR))).isEqualTo(9_000_000_000_000_000_000L);
        assertThatThrownBy(() -> CcRequest.read(priceEnquiry(7, -4), EUR)).isInstanceOf(CcError.class);
    }

    @Test
    void theServiceContextIsItsRootAndAnE164KeepsNoPlusAndRfc8506IdentitiesCount() throws Exception {
        assertThat(CcRequest.serviceContextRoot("ext.01.001.8.32260@3gpp.org")).isEqualTo("32260@3gpp.org");
        assertThat(CcRequest.serviceContextRoot("8.32251@3gpp.org")).isEqualTo("32251@3gpp.org");
        assertThat(CcRequest.serviceContextRoot("32255@3gpp.org")).isEqualTo("32255@3gpp.org");
        assertThat(CcRequest.serviceContextRoot("voice")).isEqualTo("voice");
        CcRequest kamailio = CcRequest.read(CcrBuilder.request("scscf;1", "scscf.operator.test", "operator.test",
                        "credence.test", Codes.INITIAL_REQUEST, 0).serviceContext("ext.01.001.8.32260@3gpp.org")
                .subscription(0, "+491700000001")
                .avp(Avps.grouped(Codes.SUBSCRIPTION_ID_EXTENSION, 0, true, List.of(
                        Avps.utf8(Codes.SUBSCRIPTION_ID_SIP_URI, 0, true, "sip:alice@ims.operator.test"))))
                .build(1), EUR);
        assertThat(kamailio.serviceContextId()).isEqualTo(CreditControlConfig.CONTEXT_IMS);
        assertThat(kamailio.subscriptions()).containsExactly(
                new CcRequest.Subscription(io.credence.ledger.IdentityType.E164, "491700000001"),
                new CcRequest.Subscription(io.credence.ledger.IdentityType.SIP_URI, "sip:alice@ims.operator.test"));
    }

    private static DiameterMessage priceEnquiry(long valueDigits, int exponent) {
        return CcrBuilder.request("ims;price;1", "scscf.operator.test", "operator.test", "credence.test",
                        Codes.EVENT_REQUEST, 0)
                .serviceContext(CreditControlConfig.CONTEXT_IMS).msisdn("491700000001")
                .requestedAction(Codes.PRICE_ENQUIRY)
                .avp(Avps.grouped(Codes.REQUESTED_SERVICE_UNIT, 0, true, List.of(
                        Avps.grouped(Codes.CC_MONEY, 0, true, List.of(Avps.grouped(Codes.UNIT_VALUE, 0, true, List.of(
                                Avps.long64(Codes.VALUE_DIGITS, 0, true, valueDigits),
                                Avps.integer32(Codes.EXPONENT, 0, true, exponent)))))))).build(1);
    }

    private static long moneyRequested(CcRequest request) {
        return request.services().get(0).requested().get(Unit.MONEY);
    }
}
