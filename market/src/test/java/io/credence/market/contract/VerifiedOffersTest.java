package io.credence.market.contract;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.credence.market.contract.Fixtures.KEYS;
import static io.credence.market.contract.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

/** The memo only saves repeated verifications of the same bytes; it never vouches for others. */
class VerifiedOffersTest {
    private final Signed<Contract> contract = Fixtures.draft().signed();
    private final Signed<Offer> offer = Fixtures.signedOffer();

    @Test
    void anOfferVerifiedOnceIsNotVerifiedAgainForTheNextContract() {
        VerifiedOffers memo = new VerifiedOffers(8);
        assertThat(ContractRules.check(contract, offer, KEYS, NOW, memo)).isInstanceOf(ContractRules.Consistent.class);
        long before = Ed25519.verifies();

        assertThat(ContractRules.check(contract, offer, KEYS, NOW, memo)).isInstanceOf(ContractRules.Consistent.class);

        assertThat(Ed25519.verifies() - before).as("the contract's two parties only").isEqualTo(2);
        assertThat(memo.size()).isOne();
    }

    @Test
    void aForgedSignatureOnAnOfferTheMemoKnowsIsStillRefused() {
        VerifiedOffers memo = new VerifiedOffers(8);
        ContractRules.check(contract, offer, KEYS, NOW, memo);
        byte[] forged = offer.signatures().getFirst().signature();
        forged[0] ^= 1;
        Signed<Offer> tampered = new Signed<>(offer.entry(), List.of(new Signature(Fixtures.PROVIDER,
                Fixtures.PROVIDER_KEY.publicKey(), forged)));

        assertThat(ContractRules.check(contract, tampered, KEYS, NOW, memo)).isInstanceOfSatisfying(
                ContractRules.Inconsistent.class, bad -> assertThat(bad.problems())
                        .anyMatch(p -> p.contains("offer provider signature by " + Fixtures.PROVIDER + " does not verify")));
        assertThat(memo.size()).as("a bad signature is not remembered").isOne();
    }

    @Test
    void aRememberedSignatureUnderAKeyThatIsNotRegisteredAnyMoreStillFailsTheKeyCheck() {
        VerifiedOffers memo = new VerifiedOffers(8);
        ContractRules.check(contract, offer, KEYS, NOW, memo);
        KeyDirectory rotated = KeyDirectory.of(Map.of(Fixtures.PROVIDER, Fixtures.STRANGER_KEY.publicKey(),
                Fixtures.BUYER, Fixtures.BUYER_KEY.publicKey()));

        assertThat(ContractRules.check(contract, offer, rotated, NOW, memo)).isInstanceOfSatisfying(
                ContractRules.Inconsistent.class, bad -> assertThat(bad.problems())
                        .anyMatch(p -> p.contains("offer with a key that is not the registered key")));
    }

    @Test
    void theMemoForgetsTheLeastRecentlyUsedBeyondItsCapacity() {
        VerifiedOffers memo = new VerifiedOffers(2);
        for (int i = 0; i < 5; i++) {
            Offer o = Fixtures.offer();
            Offer other = new Offer("offer-" + i, o.serviceId(), o.providerId(), o.terminalId(), o.periodStartMillis(),
                    o.periodEndMillis(), o.serviceLevel(), o.pricePerUnitMinor(), o.chargingStandard(),
                    o.resourceType(), o.amount());
            Signed<Offer> signed = Signed.sign(other, Fixtures.PROVIDER, Fixtures.PROVIDER_KEY);
            assertThat(memo.verifies(other.hash(), other.encode(), signed.signatures().getFirst())).isTrue();
        }
        assertThat(memo.size()).isEqualTo(2);
    }
}
