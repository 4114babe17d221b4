package io.credence.charging;

import io.credence.admission.Layer;
import io.credence.ledger.Ids;
import io.credence.ledger.ServiceRef;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The terms and values carried in commands, journals and snapshots, each at the edge of what it
 * accepts (a replay or a snapshot read goes through the same checks), and the share fee's rounding.
 */
class DeviceTermsTest {
    private static final ServiceRef DATA = ServiceRef.ratingGroup(10);
    private static final String SYSTEM = Ids.SYSTEM_ACCOUNT;

    @Test
    void deviceTermsNeedAPositiveDefaultNoLargerThanTheMaximumAndAPositiveTtl() {
        assertThat(new DeviceTerms(1, 1, 1, DATA, SYSTEM).grantBytesMax()).as("the smallest terms").isEqualTo(1);
        for (long[] bad : new long[][] {{0, 1, 1}, {2, 1, 1}, {1, 1, 0}}) {
            assertThatThrownBy(() -> new DeviceTerms(bad[0], bad[1], bad[2], DATA, SYSTEM))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("need 0 < grantBytesDefault <= grantBytesMax, a ttl and a service");
        }
    }

    @Test
    void shareTermsNeedAPositiveTtlATableOfOneToTheLimitAndARetentionOfZeroOrMore() {
        assertThat(new ShareTerms(DATA, SYSTEM, 1, 1, 0).sharesMax()).isEqualTo(1);
        assertThat(new ShareTerms(DATA, SYSTEM, 1, ShareTerms.SHARES_MAX_LIMIT, 0).sharesMax())
                .isEqualTo(ShareTerms.SHARES_MAX_LIMIT);
        record Bad(long ttl, int max, long retention) {}
        for (Bad bad : List.of(new Bad(0, 1, 0), new Bad(1, 0, 0), new Bad(1, ShareTerms.SHARES_MAX_LIMIT + 1, 0),
                new Bad(1, 1, -1))) {
            assertThatThrownBy(() -> new ShareTerms(DATA, SYSTEM, bad.ttl(), bad.max(), bad.retention()))
                    .as("%s", bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static DataShare share(long limit, long used, long fee, long price) {
        return new DataShare("s", "bs/1", "bs", "sim-a", "sim-b", "alice", "bob", limit, price, 0, 0,
                DataShare.Status.OPEN, used, fee, false, null, 0);
    }

    @Test
    void aShareHoldsAtLeastOneByteAndSettlesNoMoreThanItsLimit() {
        assertThat(share(1, 0, 0, 0).limitBytes()).isEqualTo(1);
        assertThat(share(5, 5, 0, 0).usedBytes()).as("used up exactly").isEqualTo(5);
        for (long[] bad : new long[][] {{0, 0, 0, 0}, {5, -1, 0, 0}, {5, 6, 0, 0}, {5, 0, -1, 0}, {5, 0, 0, -1}}) {
            assertThatThrownBy(() -> share(bad[0], bad[1], bad[2], bad[3])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("inconsistent share s: ");
        }
    }

    @Test
    void aShareFeeIsRoundedUpToTheMinorUnit() {
        assertThat(DataShare.fee(1, 1)).as("one byte of a 1-per-MB share costs 1").isEqualTo(1);
        assertThat(DataShare.fee(1_000_000, 1)).isEqualTo(1);
        assertThat(DataShare.fee(1_000_001, 1)).isEqualTo(2);
        assertThat(DataShare.fee(1_500_000, 3)).as("4.5 rounded up").isEqualTo(5);
        assertThat(DataShare.fee(2_000_000, 3)).isEqualTo(6);
        assertThat(DataShare.fee(0, 3)).isZero();
        assertThat(DataShare.fee(7, 0)).isZero();
    }

    @Test
    void aBillingNamesAPositiveReservationAndPositiveBytes() {
        assertThat(new AdmissionBilling(Layer.SERVICE, "alice", 1, 1).reservedBytes()).isEqualTo(1);
        assertThatThrownBy(() -> new AdmissionBilling(Layer.SERVICE, "alice", 0, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AdmissionBilling(Layer.SERVICE, "alice", 1, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
