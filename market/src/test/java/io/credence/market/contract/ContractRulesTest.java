package io.credence.market.contract;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.credence.market.contract.Fixtures.BUYER;
import static io.credence.market.contract.Fixtures.BUYER_KEY;
import static io.credence.market.contract.Fixtures.KEYS;
import static io.credence.market.contract.Fixtures.NOW;
import static io.credence.market.contract.Fixtures.PROVIDER;
import static io.credence.market.contract.Fixtures.PROVIDER_KEY;
import static io.credence.market.contract.Fixtures.STRANGER_KEY;
import static io.credence.market.contract.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

class ContractRulesTest {

    private static List<String> problems(Signed<Contract> contract) {
        return problems(contract, Fixtures.signedOffer());
    }

    private static List<String> problems(Signed<Contract> contract, Signed<Offer> offer) {
        return switch (ContractRules.check(contract, offer, KEYS, NOW)) {
            case ContractRules.Consistent consistent -> List.of();
            case ContractRules.Inconsistent inconsistent -> inconsistent.problems();
        };
    }

    @Test
    void aContractThatFitsItsOfferAndIsSignedByBothIsConsistent() {
        assertThat(ContractRules.check(Fixtures.draft().signed(), Fixtures.signedOffer(), KEYS, NOW))
                .isEqualTo(new ContractRules.Consistent());
    }

    @Test
    void anOperatorContractNamingItsSubscribersTerminalIsConsistent() {
        Fixtures.Draft draft = Fixtures.draft();
        draft.buyerId = Fixtures.OPERATOR;
        draft.buyerType = BuyerType.OPERATOR;
        draft.resourceUsingNode = "subscriber-terminal-7";
        draft.payment = new Payment.Units(UnitKind.FREE_MINUTES);
        Contract contract = draft.build();
        Signed<Contract> signed = Signed.sign(contract, PROVIDER, PROVIDER_KEY)
                .cosign(Fixtures.OPERATOR, Fixtures.OPERATOR_KEY);

        assertThat(problems(signed)).isEmpty();
    }

    @Test
    void forgedProviderSignatureIsNamed() {
        Signed<Contract> honest = Fixtures.draft().signed();
        Signature provider = honest.by(PROVIDER).getFirst();
        byte[] forged = provider.signature();
        forged[10] ^= 0x40;
        Signed<Contract> contract = new Signed<>(honest.entry(),
                List.of(new Signature(PROVIDER, provider.publicKey(), forged), honest.by(BUYER).getFirst()));

        assertThat(problems(contract))
                .containsExactly("provider signature by prov-1 does not verify over the contract bytes");
    }

    @Test
    void missingBuyerSignatureIsNamed() {
        Signed<Contract> contract = Signed.sign(Fixtures.draft().build(), PROVIDER, PROVIDER_KEY);

        assertThat(problems(contract)).containsExactly("buyer signature missing on the contract (buyer-1)");
    }

    @Test
    void aFieldChangedAfterSigningBreaksBothSignatures() {
        Signed<Contract> signed = Fixtures.draft().signed();
        Fixtures.Draft changed = Fixtures.draft();
        changed.periodEndMillis = signed.entry().periodEndMillis() - 60_000; // still within the offer; PER_MB fee unchanged
        Signed<Contract> tampered = new Signed<>(changed.build(), signed.signatures());

        assertThat(problems(tampered)).containsExactly(
                "provider signature by prov-1 does not verify over the contract bytes",
                "buyer signature by buyer-1 does not verify over the contract bytes");
    }

    @Test
    void aSignatureWithAKeyThatIsNotTheRegisteredOneIsNamedEvenThoughItVerifies() {
        Signed<Contract> contract = Signed.sign(Fixtures.draft().build(), PROVIDER, PROVIDER_KEY)
                .cosign(BUYER, STRANGER_KEY);

        assertThat(problems(contract))
                .containsExactly("buyer signed the contract with a key that is not the registered key of buyer-1");
    }

    @Test
    void aPartyWithNoRegisteredKeyIsNamed() {
        KeyDirectory onlyProvider = KeyDirectory.of(Map.of(PROVIDER, PROVIDER_KEY.publicKey()));

        ContractRules.Result result = ContractRules.check(Fixtures.draft().signed(), Fixtures.signedOffer(),
                onlyProvider, NOW);

        assertThat(result).isEqualTo(new ContractRules.Inconsistent(List.of("buyer buyer-1 has no registered key")));
    }

    @Test
    void aSignatureBySomeoneElseIsNamed() {
        Signed<Contract> contract = Fixtures.draft().signed().cosign("mallory", STRANGER_KEY);

        assertThat(problems(contract)).containsExactly("unexpected contract signature by mallory, neither provider nor buyer");
    }

    @Test
    void aPartySigningTwiceIsNamed() {
        Signed<Contract> contract = Fixtures.draft().signed().cosign(BUYER, STRANGER_KEY);

        assertThat(problems(contract)).containsExactly(
                "buyer buyer-1 signed the contract 2 times",
                "buyer signed the contract with a key that is not the registered key of buyer-1");
    }

    @Test
    void wrongFeeIsNamed() {
        Fixtures.Draft draft = Fixtures.draft();
        draft.feeMinor = 125_001L;

        assertThat(problems(draft.signed())).containsExactly("fee 125001 differs from the expected fee 125000 (PER_MB)");
    }

    @Test
    void periodOutsideTheOfferIsNamed() {
        Fixtures.Draft draft = Fixtures.draft();
        draft.periodEndMillis = T0 + Fixtures.HOUR + 1;

        assertThat(problems(draft.signed())).containsExactly("period " + draft.periodStartMillis + ".."
                + draft.periodEndMillis + " not within the offer's period " + T0 + ".." + (T0 + Fixtures.HOUR));
    }

    @Test
    void amountAboveTheOfferIsNamed() {
        Fixtures.Draft draft = Fixtures.draft();
        draft.amount = 5_000_000_001L;

        assertThat(problems(draft.signed())).containsExactly("amount 5000000001 above the offer's 5000000000");
    }

    @Test
    void priceDifferentFromTheOfferIsNamed() {
        Fixtures.Draft draft = Fixtures.draft();
        draft.pricePerUnitMinor = 49;

        assertThat(problems(draft.signed())).containsExactly("price 49 differs from the offer's 50");
    }

    @Test
    void serviceLevelStandardAndResourceMustBeTheOffers() {
        Fixtures.Draft draft = Fixtures.draft();
        draft.serviceLevel = 5;
        draft.chargingStandard = ChargingStandard.FLAT;

        assertThat(problems(draft.signed())).containsExactly(
                "charging standard FLAT differs from the offer's PER_MB",
                "service level 5 differs from the offer's 4");
    }

    @Test
    void operatorWithoutResourceUsingNodeIsNamed() {
        Fixtures.Draft draft = Fixtures.draft();
        draft.buyerId = Fixtures.OPERATOR;
        draft.buyerType = BuyerType.OPERATOR;
        draft.resourceUsingNode = null;
        Signed<Contract> contract = Signed.sign(draft.build(), PROVIDER, PROVIDER_KEY)
                .cosign(Fixtures.OPERATOR, Fixtures.OPERATOR_KEY);

        assertThat(problems(contract)).containsExactly("operator buyer without a resource-using node");
    }

    @Test
    void personalBuyerWhoseResourceGoesToAnotherTerminalIsNamed() {
        Fixtures.Draft elsewhere = Fixtures.draft();
        elsewhere.resourceUsingNode = "someone-else";
        Fixtures.Draft unnamed = Fixtures.draft();
        unnamed.resourceUsingNode = null;

        assertThat(problems(elsewhere.signed()))
                .containsExactly("personal buyer's resource-using node someone-else is not the buyer's own terminal buyer-1");
        assertThat(problems(unnamed.signed()))
                .containsExactly("personal buyer's resource-using node (none) is not the buyer's own terminal buyer-1");
    }

    @Test
    void theProvidersRelayingTerminalCannotBeTheResourceUsingNode() {
        Fixtures.Draft draft = Fixtures.draft();
        draft.buyerId = Fixtures.OPERATOR;
        draft.buyerType = BuyerType.OPERATOR;
        draft.resourceUsingNode = "term-P";
        Signed<Contract> contract = Signed.sign(draft.build(), PROVIDER, PROVIDER_KEY)
                .cosign(Fixtures.OPERATOR, Fixtures.OPERATOR_KEY);

        assertThat(problems(contract)).containsExactly("resource-using node term-P is the provider's relaying terminal");
    }

    @Test
    void offerHashMismatchIsNamed() {
        Fixtures.Draft draft = Fixtures.draft();
        draft.offerHash = new byte[32];

        assertThat(problems(draft.signed())).singleElement().asString().startsWith("offer hash mismatch: the contract names 0000");
    }

    @Test
    void invalidOfferSignatureIsNamed() {
        Signed<Offer> offerSignedByStranger = Signed.sign(Fixtures.offer(), PROVIDER, STRANGER_KEY);
        Signed<Offer> unsignedOffer = new Signed<>(Fixtures.offer(), List.of());

        assertThat(problems(Fixtures.draft().signed(), offerSignedByStranger))
                .containsExactly("offer provider signed the offer with a key that is not the registered key of prov-1");
        assertThat(problems(Fixtures.draft().signed(), unsignedOffer))
                .containsExactly("offer provider signature missing on the offer (prov-1)");
    }

    @Test
    void aContractFromTheFutureOrForAPastPeriodIsNamed() {
        Fixtures.Draft future = Fixtures.draft();
        future.createdAtMillis = NOW + 1;
        assertThat(problems(future.signed())).containsExactly("created at " + (NOW + 1) + ", after now " + NOW);

        Signed<Contract> contract = Fixtures.draft().signed();
        long end = contract.entry().periodEndMillis();
        ContractRules.Result late = ContractRules.check(contract, Fixtures.signedOffer(), KEYS, end);
        assertThat(late).isEqualTo(new ContractRules.Inconsistent(
                List.of("period ended at " + end + ", not after now " + end)));
    }

    @Test
    void providerAndBuyerMustDiffer() {
        Fixtures.Draft draft = Fixtures.draft();
        draft.buyerId = PROVIDER;
        draft.resourceUsingNode = PROVIDER;
        Signed<Contract> contract = Signed.sign(draft.build(), PROVIDER, PROVIDER_KEY);

        assertThat(problems(contract)).containsExactly("provider and buyer are the same party prov-1");
    }

    @Test
    void everyProblemIsNamedNotOnlyTheFirst() {
        Fixtures.Draft draft = Fixtures.draft();
        draft.amount = 6_000_000_000L;
        draft.feeMinor = 1L;
        draft.pricePerUnitMinor = 10;
        draft.resourceUsingNode = "elsewhere";
        Signed<Contract> contract = Signed.sign(draft.build(), PROVIDER, PROVIDER_KEY);

        assertThat(problems(contract)).hasSize(5)
                .anyMatch(p -> p.startsWith("buyer signature missing"))
                .anyMatch(p -> p.startsWith("price 10"))
                .anyMatch(p -> p.startsWith("amount 6000000000"))
                .anyMatch(p -> p.startsWith("fee 1 differs from the expected fee 60000"))
                .anyMatch(p -> p.startsWith("personal buyer's resource-using node elsewhere"));
    }

    @Test
    void theBuyersKeyIsCheckedAgainstTheDirectoryNotAgainstTheSignatureItself() {
        // A buyer signature carrying the provider's key and made with it verifies on its own,
        // but is not the buyer's.
        Signed<Contract> contract = Signed.sign(Fixtures.draft().build(), PROVIDER, PROVIDER_KEY)
                .cosign(BUYER, PROVIDER_KEY);

        assertThat(problems(contract))
                .containsExactly("buyer signed the contract with a key that is not the registered key of buyer-1");
        assertThat(BUYER_KEY.publicKey()).isNotEqualTo(PROVIDER_KEY.publicKey());
    }
}
