package io.credence.ledger;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the ledger refuses before anything changes, and what it says: limits below their minimum,
 * identities and ids out of shape, unit ordinals out of range, and a snapshot whose state breaks
 * an invariant although its bytes are well formed.
 */
class LedgerValidationTest {
    private static LedgerLimits limits(int... v) {
        return new LedgerLimits(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
    }

    @Test
    void everyLimitHasItsMinimumAndTheMessageNamesIt() {
        int[] ok = {1, Unit.count() + 1, 1, 1, 1, 1, 1, 1};
        assertThat(limits(ok).bucketsPerAccountMax()).isEqualTo(Unit.count() + 1);
        List<String> names = List.of("accountsMax", "bucketsPerAccountMax", "reservationsMax",
                "reservationTtlMaxMillis", "requestIdsMax", "requestIdRetentionMillis", "transfersRetainedMax",
                "identitiesMax");
        for (int i = 0; i < ok.length; i++) {
            int[] bad = ok.clone();
            bad[i] = ok[i] - 1;
            int index = i;
            assertThatThrownBy(() -> limits(bad)).as(names.get(index)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(names.get(index) + " must be >= " + ok[index] + ", was " + bad[index]);
        }
        assertThat(new LedgerLimits(3, 32, 1, 1, 1, 1, 1).identitiesMax())
                .isEqualTo(3 * LedgerLimits.IDENTITIES_PER_ACCOUNT_DEFAULT);
    }

    @Test
    void identitiesOutOfShapeAreRefusedWithTheReason() {
        assertThat(IdentityType.E164.valueProblem("4917012345678")).isNull();
        assertThat(IdentityType.E164.valueProblem("49a70")).isEqualTo(
                "must be an E.164 number (country code first, no '+'): digits only (found 'a' at 2)");
        assertThat(IdentityType.E164.valueProblem("1234567890123456"))
                .isEqualTo("must be an E.164 number (country code first, no '+') of 1..15 digits, was 16");
        assertThat(IdentityType.IMSI.valueProblem("1234")).isEqualTo("must be an IMSI of 5..15 digits, was 4");
        assertThat(IdentityType.IMSI.valueProblem("12345")).isNull();
        assertThat(IdentityType.SIP_URI.valueProblem("sip:a b")).isEqualTo(
                "may contain only printable ASCII without spaces (found U+0020 at 5)");
        assertThat(IdentityType.NAI.valueProblem("a\u007Fb")).endsWith("(found U+007F at 1)");
        assertThat(IdentityType.NAI.valueProblem("a\u0001")).endsWith("(found U+0001 at 1)");
        assertThat(IdentityType.NAI.valueProblem("~!")).isNull();
        assertThat(IdentityType.PRIVATE.valueProblem("")).isEqualTo("must not be empty");
        assertThat(IdentityType.PRIVATE.valueProblem("x".repeat(IdentityType.VALUE_LENGTH_MAX))).isNull();
        assertThat(IdentityType.PRIVATE.valueProblem("x".repeat(IdentityType.VALUE_LENGTH_MAX + 1)))
                .isEqualTo("must be at most 128 characters, was 129");
    }

    @Test
    void idsAndUnitOrdinalsAtTheirEdges() {
        assertThat(Ids.requestIdProblem("r".repeat(Ids.REQUEST_ID_LENGTH_MAX))).isNull();
        assertThat(Ids.requestIdProblem("r".repeat(Ids.REQUEST_ID_LENGTH_MAX + 1)))
                .isEqualTo("must be at most 128 characters, was 129");
        assertThat(Ids.requestIdProblem("a b")).isEqualTo(
                "may contain only letters, digits and - _ . : @ (found ' ' at 1)");
        assertThat(Ids.requireAccountId("alice", "accountId")).isEqualTo("alice");
        assertThatThrownBy(() -> Ids.requireAccountId("", "accountId")).hasMessage("accountId: must not be empty");
        assertThat(Unit.ofOrdinal(0)).isEqualTo(Unit.values()[0]);
        assertThat(Unit.ofOrdinal(Unit.count() - 1)).isEqualTo(Unit.values()[Unit.count() - 1]);
        assertThatThrownBy(() -> Unit.ofOrdinal(Unit.count())).hasMessage("no unit with ordinal " + Unit.count());
        assertThatThrownBy(() -> Unit.ofOrdinal(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSnapshotWhoseStateBreaksAnInvariantIsRefusedOnRead() throws Exception {
        LedgerStory story = new LedgerStory().subscriber("alice").operator("shop");
        story.topUpMoney("alice", 100);
        story.reserve("alice", "shop", 30);
        Ledger ledger = story.ledger;
        byte[] good = LedgerSnapshotTest.write(ledger);
        assertThat(LedgerSnapshotTest.read(good, LedgerLimits.DEFAULTS).reservation(1)).isPresent();

        // a bucket that says it holds more than its reservations do: well-formed bytes, wrong state
        ledger.accounts.get("alice").buckets[0].reserved += 1;
        byte[] wrong = LedgerSnapshotTest.write(ledger);
        assertThatThrownBy(() -> LedgerSnapshotTest.read(wrong, LedgerLimits.DEFAULTS))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("reserved equals its holds");
    }

    @Test
    void theSameAccountsWriteTheSameSnapshotWhateverTheOrderTheyWereCreatedIn() throws Exception {
        LedgerStory forward = new LedgerStory();
        LedgerStory backward = new LedgerStory();
        // enough accounts that some share a hash bucket, where a map keeps insertion order
        List<String> ids = java.util.stream.IntStream.range(0, 300).mapToObj(i -> "acct-" + (i * 7919 % 1000)).toList();
        for (String id : ids) {
            forward.subscriber(id);
        }
        for (String id : ids.reversed()) {
            backward.subscriber(id);
        }
        // past the request-id retention, so only the accounts are left to tell the two apart
        long later = LedgerStory.T0 + forward.ledger.limits().requestIdRetentionMillis() + 1;
        forward.advanceTo(later);
        backward.advanceTo(later);
        assertThat(LedgerSnapshotTest.write(forward.ledger)).isEqualTo(LedgerSnapshotTest.write(backward.ledger));
    }
}
