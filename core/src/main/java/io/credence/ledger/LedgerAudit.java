package io.credence.ledger;

import java.util.IdentityHashMap;
import java.util.Map;

import static io.credence.ledger.LedgerInvariants.check;

/**
 * The whole state checked from scratch. Commands assert what they change as they change it; this
 * is for after recovery (a snapshot must not bring a broken state back) and for tests.
 */
final class LedgerAudit {
    private LedgerAudit() {}

    /**
     * Recomputes every invariant from scratch (slow; for tests and after recovery): per-unit sums
     * are zero, reserved amounts match open holds, no bucket exceeds its bounds, the identity
     * lookup and the accounts' own lists agree, and every sequence stream is well formed.
     */
    static void verify(Map<String, Account> accounts, Map<SubscriberIdentity, Account> identities,
                       Reservations reservations, Postings postings) {
        long[] sums = new long[Unit.count()];
        // identity keys and a mutable total per bucket: recovery runs this over every open hold
        Map<Bucket, long[]> holds = new IdentityHashMap<>(accounts.size() * 2);
        int tagged = 0;
        for (Reservation r : reservations.open.values()) {
            if (r.tag != null) {
                tagged++;
                check(reservations.openByTag.get(r.tag) == r, () -> "tag " + r.tag + " leads to reservation " + r.id);
            }
            for (int i = 0; i < r.holdBuckets.length; i++) {
                holds.computeIfAbsent(r.holdBuckets[i], b -> new long[1])[0] += r.holdAmounts[i];
            }
        }
        check(tagged == reservations.openByTag.size(), "every tag leads to an open reservation");
        for (Account account : accounts.values()) {
            for (Bucket b : account.buckets) {
                sums[b.unit.ordinal()] += b.amount;
                long[] held = holds.get(b);
                check(b.reserved == (held == null ? 0 : held[0]),
                        () -> "bucket " + b.id + " reserved equals its holds");
                check(b.isMain() ? b.amount - b.reserved >= -account.creditLimit(b.unit) || account.kind == AccountKind.SYSTEM
                        : b.amount >= b.reserved, () -> "bucket " + b.id + " holds no more than it has");
            }
        }
        int listed = 0;
        for (Account account : accounts.values()) {
            for (SubscriberIdentity identity : account.identities()) {
                check(identities.get(identity) == account,
                        () -> "identity " + identity + " maps to the account listing it");
                listed++;
            }
        }
        check(listed == identities.size(), "every bound identity is listed by its account");
        for (Account account : accounts.values()) {
            check(account.streamCount() <= Account.STREAMS_MAX, () -> "account " + account.id + " has at most "
                    + Account.STREAMS_MAX + " streams");
            for (SequenceStream stream : account.streams()) {
                check(Ids.streamProblem(stream.name) == null, () -> "stream name '" + stream.name + "' is valid");
                check(account.stream(stream.name) == stream,
                        () -> "stream " + stream.name + " appears once on " + account.id);
                check(stream.lastSeq > 0, () -> "stream " + stream.name + " of " + account.id + " was advanced");
                check(stream.total >= 0, () -> "stream " + stream.name + " of " + account.id + " has a total >= 0");
            }
        }
        for (int u = 0; u < sums.length; u++) {
            check(sums[u] == 0, "sum of " + Unit.ofOrdinal(u) + " is zero, was " + sums[u]);
            check(postings.unitSum(u) == 0, "running sum of " + Unit.ofOrdinal(u) + " is zero");
        }
    }
}
