package io.credence.charging.simulation;

import io.credence.charging.EngineCommand;
import io.credence.charging.EngineOutcome;
import io.credence.charging.ShareAnswers;
import io.credence.charging.ShareTerms;
import io.credence.ledger.Ids;
import io.credence.ledger.ServiceRef;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Data shares as base stations ask for them: a few request ids reused (so a retried open finds its
 * share, and an id comes back once its share was forgotten), cumulative usage totals that mostly
 * grow, sometimes repeat, sometimes go down (refused) or pass the limit, final reports, cancels
 * by either party or a stranger, and reports from another base station.
 */
final class SimShares {
    private static final int REQUESTS = 6;
    /** A short hold and retention, so shares lapse and are forgotten within a run. */
    static final ShareTerms TERMS = new ShareTerms(ServiceRef.ratingGroup(SimWorld.DATA_RG), Ids.SYSTEM_ACCOUNT,
            300_000, 5, 600_000);

    /** The last total each share was told, so the next is mostly larger. */
    private final Map<String, Long> totals = new HashMap<>();
    /** Shares the base station believes open (it learns from the answers, as a real one does). */
    private final java.util.TreeSet<String> open = new java.util.TreeSet<>();
    private final SplitMix64 random;
    private final int subscribers;

    SimShares(SplitMix64 random, int subscribers) {
        this.random = random;
        this.subscribers = subscribers;
    }

    static String shareId(int request) {
        return "shr-" + request;
    }

    List<String> shareIds() {
        return java.util.stream.IntStream.range(0, REQUESTS).mapToObj(SimShares::shareId).toList();
    }

    EngineCommand next() {
        int request = random.nextInt(REQUESTS);
        String id = shareId(request);
        int roll = random.nextInt(100);
        if (roll >= 45 && !open.isEmpty() && random.percent(85)) {
            id = random.pick(List.copyOf(open));
        }
        if (roll < 40) {
            int supplier = random.nextInt(subscribers);
            int borrower = random.percent(3) ? supplier : random.nextInt(subscribers);
            return new EngineCommand.OpenShare(id, "bs/" + request, "bs", "sim-" + supplier,
                    SimWorld.accountId(supplier), "sim-" + borrower, SimWorld.accountId(borrower),
                    random.between(1, 150_000), !random.percent(5), random.percent(30) ? random.between(1, 800_000) : 0,
                    random.percent(50) ? 0 : random.between(1, 500), TERMS);
        }
        if (roll < 45) {
            String party = random.percent(20) ? "sim-stranger" : "sim-" + random.nextInt(subscribers);
            return new EngineCommand.CancelShare(id, party);
        }
        long last = totals.getOrDefault(id, 0L);
        long total = random.percent(10) ? last : random.percent(5) ? Math.max(0, last - 1)
                : last + random.between(0, random.percent(5) ? 600_000 : 100_000);
        totals.put(id, Math.max(last, total));
        return new EngineCommand.MeterShare(id, random.percent(3) ? "bs-other" : "bs", total, random.percent(15),
                TERMS);
    }

    /** What the base station learns from an answer: a share opened, or ended. */
    void answered(EngineOutcome outcome) {
        switch (outcome) {
            case EngineOutcome.ShareOpened o when o.answer() instanceof ShareAnswers.Opened opened && !opened.again() -> {
                open.add(opened.share().id());
                totals.put(opened.share().id(), 0L);
            }
            case EngineOutcome.ShareMetered m when m.answer() instanceof ShareAnswers.Metered metered
                    && !metered.share().open() -> open.remove(metered.share().id());
            case EngineOutcome.ShareMetered m when m.answer() instanceof ShareAnswers.Ended ended ->
                    open.remove(ended.share().id());
            case EngineOutcome.ShareMetered m when m.answer() instanceof ShareAnswers.UnknownShare unknown ->
                    open.remove(unknown.shareId());
            default -> { }
        }
    }
}
