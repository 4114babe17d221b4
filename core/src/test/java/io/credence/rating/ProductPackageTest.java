package io.credence.rating;

import io.credence.ledger.ServiceFilter;
import io.credence.ledger.Unit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a catalog author may put in a product package and its grants: every limit accepted at its
 * edge and refused one past it, with the field named, and a grant's lifetime in milliseconds.
 */
class ProductPackageTest {
    private final ProductPackage.Grant dataGrant = grant(Unit.BYTES, 5_000_000_000L, 30, 0, Set.of(10L, 11L));

    private static ProductPackage.Grant grant(Unit unit, long amount, int validityDays, int priority, Set<Long> groups) {
        return new ProductPackage.Grant(unit, amount, validityDays, priority, groups);
    }

    private static void refused(Runnable build, String path, String message) {
        assertThatThrownBy(build::run).isInstanceOfSatisfying(CatalogException.class,
                e -> assertThat(e.path()).isEqualTo(path)).hasMessage(message);
    }

    @Test
    void aGrantKeepsWhatItWasGiven() {
        assertThat(dataGrant.unit()).isEqualTo(Unit.BYTES);
        assertThat(dataGrant.amount()).isEqualTo(5_000_000_000L);
        assertThat(dataGrant.validityDays()).isEqualTo(30);
        assertThat(dataGrant.priority()).isZero();
        assertThat(dataGrant.ratingGroups()).containsExactlyInAnyOrder(10L, 11L);
    }

    @ParameterizedTest(name = "{0} days are {1} ms")
    @CsvSource({"1, 86400000", "30, 2592000000", "36600, 3162240000000"})
    void aGrantIsValidForWholeDays(int days, long millis) {
        assertThat(grant(Unit.SECONDS, 600, days, 0, null).validityMillis()).isEqualTo(millis);
    }

    @Test
    void aGrantNeedsAUnitAndAPositiveAmount() {
        refused(() -> grant(null, 1, 30, 0, null), "unit", "unit: is required");
        refused(() -> grant(Unit.BYTES, 0, 30, 0, null), "amount", "amount: must be > 0, was 0");
        refused(() -> grant(Unit.BYTES, -5, 30, 0, null), "amount", "amount: must be > 0, was -5");
        assertThat(grant(Unit.BYTES, 1, 30, 0, null).amount()).isEqualTo(1);
    }

    @Test
    void aGrantLastsOneDayToAHundredYears() {
        assertThat(ProductPackage.VALIDITY_DAYS_MAX).isEqualTo(36_600);
        assertThat(grant(Unit.BYTES, 1, 1, 0, null).validityDays()).isEqualTo(1);
        assertThat(grant(Unit.BYTES, 1, 36_600, 0, null).validityDays()).isEqualTo(36_600);
        refused(() -> grant(Unit.BYTES, 1, 0, 0, null), "validityDays", "validityDays: must be 1..36600, was 0");
        refused(() -> grant(Unit.BYTES, 1, 36_601, 0, null), "validityDays",
                "validityDays: must be 1..36600, was 36601");
    }

    @Test
    void theLowestPriorityIsKeptForMainBalances() {
        refused(() -> grant(Unit.MONEY, 100, 30, Integer.MIN_VALUE, null), "priority",
                "priority: Integer.MIN_VALUE is kept for main balances");
        assertThat(grant(Unit.MONEY, 100, 30, Integer.MIN_VALUE + 1, null).priority()).isEqualTo(Integer.MIN_VALUE + 1);
        assertThat(grant(Unit.MONEY, 100, 30, Integer.MAX_VALUE, null).priority()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void aGrantPaysForAtMostAsManyRatingGroupsAsABucketCanList() {
        assertThat(grant(Unit.BYTES, 1, 30, 0, null).ratingGroups()).isEmpty();
        Set<Long> most = LongStream.range(0, ServiceFilter.ENTRIES_MAX).boxed().collect(Collectors.toSet());
        assertThat(grant(Unit.BYTES, 1, 30, 0, most).ratingGroups()).hasSize(64);
        Set<Long> tooMany = LongStream.rangeClosed(0, ServiceFilter.ENTRIES_MAX).boxed().collect(Collectors.toSet());
        refused(() -> grant(Unit.BYTES, 1, 30, 0, tooMany), "ratingGroups", "ratingGroups: at most 64 entries");
    }

    @Test
    void aRatingGroupIsAnUnsigned32() {
        assertThat(grant(Unit.BYTES, 1, 30, 0, Set.of(0L, 0xFFFF_FFFFL)).ratingGroups())
                .containsExactlyInAnyOrder(0L, 0xFFFF_FFFFL);
        refused(() -> grant(Unit.BYTES, 1, 30, 0, Set.of(-1L)), "ratingGroups",
                "ratingGroups: a rating group is an Unsigned32, was -1");
        refused(() -> grant(Unit.BYTES, 1, 30, 0, Set.of(7L, 0x1_0000_0000L)), "ratingGroups",
                "ratingGroups: a rating group is an Unsigned32, was 4294967296");
    }

    @Test
    void aGrantKeepsACopyOfItsRatingGroups() {
        Set<Long> groups = new java.util.HashSet<>(Set.of(10L));
        ProductPackage.Grant g = grant(Unit.BYTES, 1, 30, 0, groups);
        groups.add(11L);
        assertThat(g.ratingGroups()).containsExactly(10L);
    }

    @Test
    void aPackageKeepsWhatItWasGiven() {
        ProductPackage p = new ProductPackage("data-5g", 999, List.of(dataGrant));
        assertThat(p.name()).isEqualTo("data-5g");
        assertThat(p.priceMinor()).isEqualTo(999);
        assertThat(p.grants()).containsExactly(dataGrant);
    }

    @Test
    void aPackageNameIsOneToSixtyFourCharacters() {
        String longest = "p".repeat(64);
        assertThat(new ProductPackage(longest, 0, List.of(dataGrant)).name()).isEqualTo(longest);
        assertThat(new ProductPackage("x", 0, List.of(dataGrant)).name()).isEqualTo("x");
        for (String name : new String[] {null, "", "   ", "p".repeat(65)}) {
            refused(() -> new ProductPackage(name, 0, List.of(dataGrant)), "name", "name: is required, at most 64 characters");
        }
    }

    @Test
    void aPackageMayBeFreeButNotCostLessThanNothing() {
        assertThat(new ProductPackage("welcome", 0, List.of(dataGrant)).priceMinor()).isZero();
        refused(() -> new ProductPackage("welcome", -1, List.of(dataGrant)), "price", "price: must be >= 0, was -1");
    }

    @ParameterizedTest(name = "{0} grants")
    @ValueSource(ints = {1, 8})
    void aPackageCreatesOneToEightBuckets(int count) {
        assertThat(new ProductPackage("bundle", 100, Collections.nCopies(count, dataGrant)).grants()).hasSize(count);
    }

    @Test
    void aPackageWithoutBucketsOrWithTooManyIsRefused() {
        assertThat(ProductPackage.GRANTS_MAX).isEqualTo(8);
        refused(() -> new ProductPackage("bundle", 100, null), "buckets", "buckets: a package creates 1..8 buckets, was 0");
        refused(() -> new ProductPackage("bundle", 100, List.of()), "buckets",
                "buckets: a package creates 1..8 buckets, was 0");
        refused(() -> new ProductPackage("bundle", 100, Collections.nCopies(9, dataGrant)), "buckets",
                "buckets: a package creates 1..8 buckets, was 9");
    }

    @Test
    void aPackageKeepsACopyOfItsGrants() {
        List<ProductPackage.Grant> grants = new ArrayList<>(List.of(dataGrant));
        ProductPackage p = new ProductPackage("bundle", 100, grants);
        grants.add(dataGrant);
        assertThat(p.grants()).hasSize(1);
    }
}
