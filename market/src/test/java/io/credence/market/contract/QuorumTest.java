package io.credence.market.contract;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.credence.market.contract.Fixtures.KEYS;
import static io.credence.market.contract.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QuorumTest {
    private static final List<Validator> VALIDATORS = List.of(
            new Validator("v1", Fixtures.key(11)), new Validator("v2", Fixtures.key(12)),
            new Validator("v3", Fixtures.key(13)), new Validator("v4", Fixtures.key(14)));

    private final Signed<Contract> contract = Fixtures.draft().signed();
    private final Signed<Offer> offer = Fixtures.signedOffer();

    private static Map<String, byte[]> keys(List<Validator> validators) {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        validators.forEach(v -> keys.put(v.validatorId(), v.key().publicKey()));
        return keys;
    }

    private static final Quorum THREE_OF_FOUR = new Quorum(3, keys(VALIDATORS));

    private Signed<Validation> approval(int validator) {
        return VALIDATORS.get(validator - 1).validate(contract, offer, KEYS, NOW);
    }

    @Test
    void aValidatorApprovesAConsistentContractWithASignedCoSignature() {
        Signed<Validation> approval = approval(1);

        assertThat(approval.entry()).isEqualTo(new Validation(contract.entry().hash(), "v1", true, ""));
        assertThat(approval.signatures()).singleElement()
                .satisfies(s -> assertThat(s.signerId()).isEqualTo("v1"))
                .satisfies(s -> assertThat(s.verifies(approval.entry().encode())).isTrue());
    }

    @Test
    void aValidatorRefusesAnInconsistentContractWithSignedReasons() {
        Signed<Contract> unsignedByBuyer = Signed.sign(contract.entry(), Fixtures.PROVIDER, Fixtures.PROVIDER_KEY);

        Signed<Validation> refusal = VALIDATORS.getFirst().validate(unsignedByBuyer, offer, KEYS, NOW);

        assertThat(refusal.entry().approved()).isFalse();
        assertThat(refusal.entry().reason()).isEqualTo("buyer signature missing on the contract (buyer-1)");
        assertThat(refusal.signatures().getFirst().verifies(refusal.entry().encode())).isTrue();
    }

    @Test
    void approvalsSignedHereAreNotVerifiedAgainButMustStillCarryTheConfiguredKey() {
        List<Signed<Validation>> three = List.of(approval(1), approval(2), approval(3));
        long before = Ed25519.verifies();

        assertThat(THREE_OF_FOUR.evaluate(contract, three, three::contains)).isInstanceOf(QuorumResult.Effective.class);
        assertThat(Ed25519.verifies()).isEqualTo(before);

        Signed<Validation> wrongKey = new Validator("v3", Fixtures.key(77)).validate(contract, offer, KEYS, NOW);
        List<Signed<Validation>> withWrongKey = List.of(approval(1), approval(2), wrongKey);
        assertThat(THREE_OF_FOUR.evaluate(contract, withWrongKey, withWrongKey::contains))
                .isInstanceOf(QuorumResult.NotEffective.class);
    }

    @Test
    void threeApprovalsOfFourMakeTheContractEffective() {
        QuorumResult result = THREE_OF_FOUR.evaluate(contract, List.of(approval(3), approval(1), approval(2)));

        assertThat(result).isEqualTo(new QuorumResult.Effective(List.of("v1", "v2", "v3")));
    }

    @Test
    void twoApprovalsAreNotEnough() {
        QuorumResult result = THREE_OF_FOUR.evaluate(contract, List.of(approval(1), approval(2)));

        assertThat(result).isEqualTo(new QuorumResult.NotEffective("2 of 3 required approvals (v1, v2)"));
    }

    @Test
    void aDuplicateApprovalCountsOnce() {
        QuorumResult result = THREE_OF_FOUR.evaluate(contract, List.of(approval(1), approval(1), approval(2)));

        assertThat(result).isEqualTo(new QuorumResult.NotEffective(
                "2 of 3 required approvals (v1, v2); not counted: v1 approved more than once; counted once"));
    }

    @Test
    void anApprovalOfAnotherContractDoesNotCount() {
        Fixtures.Draft other = Fixtures.draft();
        other.contractId = "contract-2";
        Signed<Validation> forOther = VALIDATORS.get(2).validate(other.signed(), offer, KEYS, NOW);

        QuorumResult result = THREE_OF_FOUR.evaluate(contract, List.of(approval(1), approval(2), forOther));

        assertThat(result).isEqualTo(new QuorumResult.NotEffective(
                "2 of 3 required approvals (v1, v2); not counted: v3 validated another contract"));
    }

    @Test
    void aForgedValidatorSignatureDoesNotCount() {
        Validation claimed = new Validation(contract.entry().hash(), "v3", true, "");
        Signed<Validation> byImpostor = Signed.sign(claimed, "v3", Fixtures.STRANGER_KEY);
        Signature real = approval(3).signatures().getFirst();
        byte[] flipped = real.signature();
        flipped[0] ^= 1;
        Signed<Validation> tampered = new Signed<>(claimed, List.of(new Signature("v3", real.publicKey(), flipped)));

        QuorumResult result = THREE_OF_FOUR.evaluate(contract, List.of(approval(1), approval(2), byImpostor, tampered));

        assertThat(result).isInstanceOf(QuorumResult.NotEffective.class);
        assertThat(((QuorumResult.NotEffective) result).reason()).startsWith("2 of 3 required approvals")
                .contains("v3's approval is not signed with its configured key");
    }

    @Test
    void aForgedApprovalDoesNotHideAGenuineOneFromTheSameValidator() {
        Signed<Validation> byImpostor = Signed.sign(new Validation(contract.entry().hash(), "v3", true, ""), "v3",
                Fixtures.STRANGER_KEY);

        QuorumResult result = THREE_OF_FOUR.evaluate(contract, List.of(byImpostor, approval(1), approval(2), approval(3)));

        assertThat(result).isEqualTo(new QuorumResult.Effective(List.of("v1", "v2", "v3")));
    }

    @Test
    void anUnknownValidatorDoesNotCount() {
        Validator outsider = new Validator("v9", Fixtures.key(19));
        Signed<Validation> unknown = outsider.validate(contract, offer, KEYS, NOW);

        QuorumResult result = THREE_OF_FOUR.evaluate(contract, List.of(approval(1), approval(2), unknown));

        assertThat(result).isEqualTo(new QuorumResult.NotEffective(
                "2 of 3 required approvals (v1, v2); not counted: v9 is not a configured validator"));
    }

    @Test
    void refusalsDoNotCount() {
        Signed<Validation> refusal = Signed.sign(new Validation(contract.entry().hash(), "v3", false, "looks odd"),
                "v3", VALIDATORS.get(2).key());

        QuorumResult result = THREE_OF_FOUR.evaluate(contract, List.of(approval(1), refusal, approval(2)));

        assertThat(result).isEqualTo(new QuorumResult.NotEffective(
                "2 of 3 required approvals (v1, v2); not counted: v3 refused"));
    }

    @Test
    void allFourApprovalsAreListed() {
        QuorumResult result = THREE_OF_FOUR.evaluate(contract,
                List.of(approval(4), approval(3), approval(2), approval(1)));

        assertThat(result).isEqualTo(new QuorumResult.Effective(List.of("v1", "v2", "v3", "v4")));
    }

    @Test
    void aFloodOfValidationsIsRefusedBeforeAnySignatureCheck() {
        List<Signed<Validation>> flood = new ArrayList<>();
        Signed<Validation> one = approval(1);
        for (int i = 0; i <= ContractLimits.VALIDATIONS_MAX; i++) {
            flood.add(one);
        }
        long verifies = Ed25519.verifies();

        QuorumResult result = THREE_OF_FOUR.evaluate(contract, flood);

        assertThat(result).isEqualTo(new QuorumResult.NotEffective("257 validations, more than 256 are looked at"));
        assertThat(Ed25519.verifies()).isEqualTo(verifies);
    }

    @Test
    void aQuorumMustBeAMajorityOfTheConfiguredValidators() {
        Map<String, byte[]> four = keys(VALIDATORS);
        assertThatThrownBy(() -> new Quorum(2, four)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a quorum of 2 of 4 is not a majority: two disjoint quorums could approve conflicting contracts");
        assertThatThrownBy(() -> new Quorum(5, four)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("required must be 1..4 (the configured validators), was 5");
        assertThatThrownBy(() -> new Quorum(0, four)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Quorum(1, Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("validators must be 1..64, was 0");

        assertThat(new Quorum(3, four).required()).isEqualTo(3);
        assertThat(new Quorum(4, four).validators()).containsExactly("v1", "v2", "v3", "v4");
        assertThat(new Quorum(2, keys(VALIDATORS.subList(0, 3))).required()).isEqualTo(2);
        assertThat(new Quorum(1, keys(VALIDATORS.subList(0, 1))).required()).isEqualTo(1);
        assertThatThrownBy(() -> new Quorum(1, keys(VALIDATORS.subList(0, 2))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aConfiguredKeyMustBeAnEd25519PublicKey() {
        assertThatThrownBy(() -> new Quorum(1, Map.of("v1", new byte[31])))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("key of validator v1 must be 32 bytes, was 31");
    }
}
