package io.credence.market.contract;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static io.credence.market.contract.Fixtures.HOUR;
import static io.credence.market.contract.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

class OfferRankingTest {
    private static final OfferRanking.Needs NEEDS = new OfferRanking.Needs(ResourceType.DATA_BYTES, 1_000_000_000L,
            T0, T0 + HOUR, 3, 100);

    private static Offer offer(String id, int level, long price, long start, long end) {
        return new Offer(id, "relay", "p-" + id, "t-" + id, start, end, level, price, ChargingStandard.PER_MB,
                ResourceType.DATA_BYTES, 2_000_000_000L);
    }

    private static List<String> ids(List<OfferRanking.Ranked> ranked) {
        return ranked.stream().map(r -> r.offer().offerId()).toList();
    }

    @Test
    void scoresFollowTheDocumentedFormula() {
        Offer half = offer("a", 4, 50, T0 + HOUR / 2, T0 + 2 * HOUR);

        List<OfferRanking.Ranked> ranked = OfferRanking.rank(List.of(half), NEEDS, new OfferRanking.Weights(2, 1, 1));

        // price (100 - 50) / 100 -> 500, level 4 -> 750, half the period -> 500
        assertThat(ranked).containsExactly(new OfferRanking.Ranked(half, 2 * 500 + 750 + 500));
    }

    @Test
    void cheaperRanksFirstWhenPriceMatters() {
        List<Offer> offers = List.of(offer("dear", 5, 90, T0, T0 + HOUR), offer("cheap", 3, 10, T0, T0 + HOUR),
                offer("mid", 4, 50, T0, T0 + HOUR));

        assertThat(ids(OfferRanking.rank(offers, NEEDS, new OfferRanking.Weights(1, 0, 0))))
                .containsExactly("cheap", "mid", "dear");
        assertThat(ids(OfferRanking.rank(offers, NEEDS, new OfferRanking.Weights(0, 1, 0))))
                .containsExactly("dear", "mid", "cheap");
    }

    @Test
    void coveringMoreOfTheRequestedPeriodRanksFirst() {
        List<Offer> offers = List.of(offer("quarter", 4, 50, T0 + 3 * HOUR / 4, T0 + 2 * HOUR),
                offer("whole", 4, 50, T0 - HOUR, T0 + 2 * HOUR), offer("half", 4, 50, T0, T0 + HOUR / 2));

        assertThat(ids(OfferRanking.rank(offers, NEEDS, new OfferRanking.Weights(1, 1, 1))))
                .containsExactly("whole", "half", "quarter");
    }

    @Test
    void offersThatCannotServeAreLeftOutAndSayWhy() {
        Offer bandwidth = new Offer("bandwidth", "relay", "p", "t", T0, T0 + HOUR, 5, 1, ChargingStandard.FLAT,
                ResourceType.BANDWIDTH_KBPS, 10_000);
        Offer small = new Offer("small", "relay", "p", "t", T0, T0 + HOUR, 5, 1, ChargingStandard.PER_MB,
                ResourceType.DATA_BYTES, 999_999_999L);
        Offer lowLevel = offer("low", 2, 1, T0, T0 + HOUR);
        Offer dear = offer("dear", 5, 101, T0, T0 + HOUR);
        Offer later = offer("later", 5, 1, T0 + HOUR, T0 + 2 * HOUR);
        Offer good = offer("good", 3, 100, T0, T0 + 1);

        List<OfferRanking.Ranked> ranked = OfferRanking.rank(List.of(bandwidth, small, lowLevel, dear, later, good),
                NEEDS, new OfferRanking.Weights(1, 1, 1));

        assertThat(ids(ranked)).containsExactly("good");
        assertThat(OfferRanking.cannotServe(bandwidth, NEEDS)).hasValue("offers BANDWIDTH_KBPS, not DATA_BYTES");
        assertThat(OfferRanking.cannotServe(small, NEEDS)).hasValue("amount 999999999 below the 1000000000 needed");
        assertThat(OfferRanking.cannotServe(lowLevel, NEEDS)).hasValue("service level 2 below the minimum 3");
        assertThat(OfferRanking.cannotServe(dear, NEEDS)).hasValue("price 101 above the maximum 100");
        assertThat(OfferRanking.cannotServe(later, NEEDS)).hasValue("period does not overlap the requested period");
        assertThat(OfferRanking.cannotServe(good, NEEDS)).isEmpty();
    }

    @Test
    void equalScoresAreOrderedByOfferIdWhateverTheInputOrder() {
        List<Offer> offers = new ArrayList<>();
        for (String id : List.of("d", "b", "a", "c")) {
            offers.add(offer(id, 4, 50, T0, T0 + HOUR));
        }
        offers.add(offer("z-best", 5, 0, T0, T0 + HOUR));
        Random random = new Random(7);
        for (int round = 0; round < 10; round++) {
            Collections.shuffle(offers, random);
            assertThat(ids(OfferRanking.rank(offers, NEEDS, new OfferRanking.Weights(1, 1, 1))))
                    .containsExactly("z-best", "a", "b", "c", "d");
        }
    }

    @Test
    void needsComeFromABroadcastRequest() {
        Request request = new Request("r", "buyer", BuyerType.PERSONAL, ResourceType.DATA_BYTES, 1_000_000_000L, T0,
                T0 + HOUR, 3, 100);

        assertThat(OfferRanking.Needs.of(request)).isEqualTo(NEEDS);
    }

    @Test
    void aZeroMaximumPriceAcceptsOnlyFreeOffers() {
        OfferRanking.Needs free = new OfferRanking.Needs(ResourceType.DATA_BYTES, 1, T0, T0 + HOUR, 1, 0);

        List<OfferRanking.Ranked> ranked = OfferRanking.rank(
                List.of(offer("gift", 1, 0, T0, T0 + HOUR), offer("paid", 1, 1, T0, T0 + HOUR)), free,
                new OfferRanking.Weights(1, 0, 0));

        assertThat(ranked).extracting(OfferRanking.Ranked::score).containsExactly(1000L);
        assertThat(ids(ranked)).containsExactly("gift");
    }
}
