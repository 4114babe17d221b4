package io.credence.devices;

import io.credence.journal.DurableEngine;
import io.credence.ledger.AccountStatus;
import io.credence.ledger.AccountView;
import io.credence.ledger.Command;
import io.credence.ledger.Operation.Commit;
import io.credence.ledger.Operation.Linked;
import io.credence.ledger.Operation.Reserve;
import io.credence.ledger.Operation.Step;
import io.credence.ledger.Outcome;
import io.credence.ledger.Rejection;
import io.credence.ledger.ReservationView;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;
import io.credence.records.UsageSink;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Data lent from one terminal to another through a base station.
 *
 * <p>Opening checks, in this order, the base station's credentials, both terminals' device
 * tokens, that both users' accounts are active, the supplier's standing rules (allowed borrower,
 * daily maximum), the supplier's remaining data and, for a sale, that the borrower can pay; the
 * first failure is the refusal and nothing is reserved. Then one linked ledger command holds the
 * agreed bytes on the supplier (tag {@code share.<id>}) and, for a sale, the fee for all of them
 * on the borrower ({@code share.<id>.fee}, paid to the supplier).
 *
 * <p>Every report from the base station is a cumulative total. The ledger commits what is new
 * (bytes to the network, fee to the supplier) and holds the rest again, renewing the hold's
 * lifetime, so the ledger always holds exactly what was metered so far: when the base station
 * disappears the holds simply expire, and what the last interim report metered stays settled.
 * Because totals are cumulative, a repeated report settles nothing twice.
 */
public final class DataShares implements AutoCloseable {
    private static final int LOCK_STRIPES = 64;
    private static final int SWEEP_BATCH_MAX = 1000;
    private static final System.Logger LOG = System.getLogger(DataShares.class.getName());

    /** Why a share was refused; the base station relays it to the borrower. */
    public enum Refusal {
        BASE_STATION_IDENTITY, BORROWER_IDENTITY, SUPPLIER_IDENTITY, SAME_TERMINAL, BORROWER_USER, SUPPLIER_USER,
        BORROWER_NOT_ALLOWED, DAILY_LIMIT, SUPPLIER_SHORT, BORROWER_CANNOT_PAY;

        /** As the API names it: {@code supplier-short}. */
        public String apiName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public sealed interface OpenAnswer {
        record Opened(Share share, boolean again) implements OpenAnswer {}

        record Refused(Refusal reason, String detail) implements OpenAnswer {}
    }

    public sealed interface MeterAnswer {
        /**
         * Settled so far; {@code cutOff} tells the base station to stop serving now.
         *
         * @param overLimitBytes what the reported total has past the share's limit: served, but
         *                       neither charged to the supplier nor paid for (0 normally)
         */
        record Metered(Share share, long overLimitBytes) implements MeterAnswer {}

        record UnknownShare(String shareId) implements MeterAnswer {}

        /** The share belongs to another base station. */
        record NotYours(String shareId) implements MeterAnswer {}

        /** The share was settled or expired already; a late report changes nothing. */
        record Ended(Share share) implements MeterAnswer {}

        record BadTotal(String detail) implements MeterAnswer {}
    }

    public sealed interface CancelAnswer {
        record CutOff(Share share) implements CancelAnswer {}

        record UnknownShare(String shareId) implements CancelAnswer {}

        /** The caller is neither the borrower nor the supplier, or its token is wrong. */
        record NotAParty(String shareId) implements CancelAnswer {}
    }

    private final LedgerGate ledger;
    private final DeviceRegistry registry;
    private final DeviceQuota devices;
    private final DeviceQuotaConfig config;
    private final Duration holdTtl;
    private final UsageSink usage;
    private final LongSupplier clockMillis;
    private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];
    private final ScheduledExecutorService sweeper;
    private final java.util.concurrent.atomic.LongAdder reportsOverLimit = new java.util.concurrent.atomic.LongAdder();
    private final RateLimitedLog overLimit;

    /**
     * @param holdTtl how long the holds last without a report from the base station; each report renews them
     * @param sweepEvery how often shares whose holds expired are marked EXPIRED (zero: never, for tests that sweep)
     */
    public DataShares(DurableEngine ledger, DeviceRegistry registry, DeviceQuota devices, DeviceQuotaConfig config,
                      Duration holdTtl, Duration sweepEvery, UsageSink usage, LongSupplier clockMillis) {
        this.ledger = new LedgerGate(ledger);
        this.registry = registry;
        this.devices = devices;
        this.config = config;
        this.holdTtl = holdTtl;
        this.usage = usage;
        this.clockMillis = clockMillis;
        this.overLimit = new RateLimitedLog(LOG, DeviceQuota.WARNING_INTERVAL_MILLIS, clockMillis);
        for (int i = 0; i < LOCK_STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
        if (sweepEvery.isZero()) {
            sweeper = null;
        } else {
            sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "share-expiry");
                t.setDaemon(true);
                return t;
            });
            sweeper.scheduleWithFixedDelay(this::sweepQuietly, sweepEvery.toMillis(), sweepEvery.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /** Usage reports whose total was past their share's limit (the excess is not settled), since start. */
    public long reportsOverLimit() {
        return reportsOverLimit.sum();
    }

    /** Whether {@code secret} is the base station's. */
    public boolean baseStationKnown(String baseStationId, String secret) {
        return devices.baseStationKnown(baseStationId, secret);
    }

    public ShareRules rules(String simId) {
        return registry.rules(simId).orElse(ShareRules.GIFT_TO_ANYONE);
    }

    public void putRules(String simId, ShareRules rules) {
        registry.putRules(simId, rules);
    }

    public Optional<Share> share(String shareId) {
        return registry.share(shareId);
    }

    public OpenAnswer open(String baseStationId, String baseStationSecret, String requestId, String borrowerSim,
                           String borrowerToken, String supplierSim, String supplierToken, long bytes) {
        if (bytes <= 0 || Names.problem(requestId, Names.REQUEST_ID_LENGTH_MAX) != null) {
            throw new IllegalArgumentException("bytes must be > 0 and requestId a valid id");
        }
        if (!baseStationKnown(baseStationId, baseStationSecret)) {
            return new OpenAnswer.Refused(Refusal.BASE_STATION_IDENTITY, "base station '" + baseStationId
                    + "' is unknown or its secret is wrong");
        }
        String requestKey = baseStationId + "/" + requestId;
        String shareId = shareId(requestKey);
        ReentrantLock lock = lockOf(shareId);
        lock.lock();
        try {
            Optional<Share> first = registry.shareByRequest(requestKey);
            if (first.isPresent()) {
                return new OpenAnswer.Opened(first.get(), true);
            }
            Optional<DeviceQuota.DeviceSim> borrower = devices.authenticate(borrowerSim, borrowerToken);
            if (borrower.isEmpty()) {
                return new OpenAnswer.Refused(Refusal.BORROWER_IDENTITY, "borrower terminal '" + borrowerSim
                        + "' is not registered or its token is wrong");
            }
            Optional<DeviceQuota.DeviceSim> supplier = devices.authenticate(supplierSim, supplierToken);
            if (supplier.isEmpty()) {
                return new OpenAnswer.Refused(Refusal.SUPPLIER_IDENTITY, "supplier terminal '" + supplierSim
                        + "' is not registered or its token is wrong");
            }
            if (borrowerSim.equals(supplierSim) || borrower.get().accountId().equals(supplier.get().accountId())) {
                return new OpenAnswer.Refused(Refusal.SAME_TERMINAL, "borrower and supplier are the same user");
            }
            String inactive = inactive(borrower.get().accountId());
            if (inactive != null) {
                return new OpenAnswer.Refused(Refusal.BORROWER_USER, "borrower's " + inactive);
            }
            inactive = inactive(supplier.get().accountId());
            if (inactive != null) {
                return new OpenAnswer.Refused(Refusal.SUPPLIER_USER, "supplier's " + inactive);
            }
            ShareRules rules = rules(supplierSim);
            if (!rules.allows(borrowerSim)) {
                return new OpenAnswer.Refused(Refusal.BORROWER_NOT_ALLOWED, "the supplier does not lend to '"
                        + borrowerSim + "'");
            }
            long now = clockMillis.getAsLong();
            long day = Math.floorDiv(now, 86_400_000L);
            if (rules.maxBytesPerDay() != null) {
                long agreed = registry.agreedOnDay(supplierSim, day);
                if (agreed + bytes > rules.maxBytesPerDay()) {
                    return new OpenAnswer.Refused(Refusal.DAILY_LIMIT, "the supplier lends at most "
                            + rules.maxBytesPerDay() + " bytes a day; " + agreed + " are agreed today, " + bytes + " asked");
                }
            }
            long available = ledger.query(l -> l.available(supplier.get().accountId(), Unit.BYTES, config.service()))
                    .orElse(0L);
            if (available < bytes) {
                return new OpenAnswer.Refused(Refusal.SUPPLIER_SHORT, "the supplier has " + Math.max(0, available)
                        + " bytes left, " + bytes + " asked");
            }
            long fee = ShareRules.fee(bytes, rules.priceMinorPerMb());
            List<Step> holds = new ArrayList<>();
            holds.add(new Reserve(supplier.get().accountId(), config.systemAccountId(), Unit.BYTES, bytes,
                    config.service(), holdTtl.toMillis(), bytesTag(shareId)));
            if (fee > 0) {
                holds.add(new Reserve(borrower.get().accountId(), supplier.get().accountId(), Unit.MONEY, fee,
                        ServiceRef.ANY, holdTtl.toMillis(), feeTag(shareId)));
            }
            Outcome outcome = ledger.submit(new Command("share." + shareId + ".open", new Linked(holds)));
            if (outcome instanceof Rejection.LinkedRejected refused) {
                boolean short_ = refused.cause() instanceof Rejection.InsufficientBalance
                        || refused.cause() instanceof Rejection.CreditLimitExceeded;
                if (short_ && refused.stepIndex() == 0) {
                    return new OpenAnswer.Refused(Refusal.SUPPLIER_SHORT, refused.cause().message());
                }
                if (short_) {
                    return new OpenAnswer.Refused(Refusal.BORROWER_CANNOT_PAY, "the fee for " + bytes + " bytes is "
                            + fee + ": " + refused.cause().message());
                }
                throw new IllegalStateException("share " + shareId + " holds refused: " + refused.message());
            }
            if (!(outcome instanceof Outcome.LinkedApplied)) {
                throw new IllegalStateException("share " + shareId + " holds answered " + outcome);
            }
            Share share = new Share(shareId, requestKey, baseStationId, supplierSim, borrowerSim,
                    supplier.get().accountId(), borrower.get().accountId(), bytes, rules.priceMinorPerMb(), now, day,
                    Share.Status.OPEN, 0, 0, false, null);
            registry.insertShare(share);
            return new OpenAnswer.Opened(share, false);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A report from the base station: {@code totalBytes} the borrower used so far under this share.
     * {@code last} ends the share: the rest of the holds go back.
     */
    public MeterAnswer meter(String baseStationId, String shareId, long totalBytes, boolean last) {
        if (totalBytes < 0) {
            throw new IllegalArgumentException("totalBytes must be >= 0");
        }
        ReentrantLock lock = lockOf(shareId);
        lock.lock();
        try {
            Optional<Share> found = registry.share(shareId);
            if (found.isEmpty()) {
                return new MeterAnswer.UnknownShare(shareId);
            }
            Share share = found.get();
            if (!share.baseStationId().equals(baseStationId)) {
                return new MeterAnswer.NotYours(shareId);
            }
            if (share.status() != Share.Status.OPEN) {
                return new MeterAnswer.Ended(share);
            }
            long over = Math.max(0, totalBytes - share.limitBytes());
            if (over > 0) {
                // the base station served past the limit (it was told cutOff at the limit): only
                // the limit is settled; the answer says how much was not, and this is counted
                reportsOverLimit.increment();
                overLimit.warn("share " + shareId + ": base station " + baseStationId + " reports " + totalBytes
                        + " bytes on a limit of " + share.limitBytes() + ": " + over + " bytes past it are not settled");
            }
            Optional<ReservationView> held = ledger.query(l -> l.openReservationTagged(bytesTag(shareId)));
            if (held.isEmpty() && share.usedBytes() == share.limitBytes()) {
                // everything was used: nothing is held any more, the final report only closes the share
                if (!last) {
                    return new MeterAnswer.Metered(share, over);
                }
                Share closed = share.settled(Share.Status.SETTLED, share.usedBytes(), share.feePaid());
                registry.updateShare(closed);
                return new MeterAnswer.Metered(closed, over);
            }
            if (held.isEmpty()) {
                return new MeterAnswer.Ended(expire(share));
            }
            // the ledger is the truth for what was settled (the registry could lag one report behind a crash)
            long settled = share.limitBytes() - held.get().amount();
            long metered = Math.min(totalBytes, share.limitBytes());
            if (metered < settled) {
                return new MeterAnswer.BadTotal("totalBytes " + totalBytes + " is below the " + settled
                        + " bytes already reported; totals never go down");
            }
            long feeBefore = share.feeFor(settled);
            long feeNow = share.feeFor(metered);
            List<Step> steps = new ArrayList<>();
            if (metered > settled || last) {
                steps.add(new Commit(held.get().reservationId(), metered - settled, false));
                if (!last && metered < share.limitBytes()) {
                    steps.add(new Reserve(share.supplierAccount(), config.systemAccountId(), Unit.BYTES,
                            share.limitBytes() - metered, config.service(), holdTtl.toMillis(), bytesTag(shareId)));
                }
                Optional<ReservationView> fee = ledger.query(l -> l.openReservationTagged(feeTag(shareId)));
                if (fee.isPresent()) {
                    steps.add(new Commit(fee.get().reservationId(), feeNow - feeBefore, false));
                    long feeLeft = share.feeFor(share.limitBytes()) - feeNow;
                    if (!last && metered < share.limitBytes() && feeLeft > 0) {
                        steps.add(new Reserve(share.borrowerAccount(), share.supplierAccount(), Unit.MONEY, feeLeft,
                                ServiceRef.ANY, holdTtl.toMillis(), feeTag(shareId)));
                    }
                }
                Outcome outcome = ledger.submit(new Command("share." + shareId + ".m" + metered + (last ? ".final" : ""),
                        new Linked(steps)));
                if (!outcome.accepted()) {
                    throw new IllegalStateException("share " + shareId + " settlement refused: "
                            + ((Rejection) outcome).message());
                }
                record(share, metered - settled, feeNow - feeBefore, metered);
            } else {
                renew(share, held.get());
            }
            Share next = share.settled(last ? Share.Status.SETTLED : Share.Status.OPEN, metered, feeNow);
            if (metered == share.limitBytes() && !last) {
                next = next.cutOffBy("limit");
            }
            registry.updateShare(next);
            return new MeterAnswer.Metered(next, over);
        } finally {
            lock.unlock();
        }
    }

    /** Either user stops the share: the base station is told to cut off at its next report, which settles it. */
    public CancelAnswer cancel(String shareId, String simId, String token) {
        ReentrantLock lock = lockOf(shareId);
        lock.lock();
        try {
            Optional<Share> found = registry.share(shareId);
            if (found.isEmpty()) {
                return new CancelAnswer.UnknownShare(shareId);
            }
            Share share = found.get();
            boolean party = simId.equals(share.borrowerSim()) || simId.equals(share.supplierSim());
            if (!party || devices.authenticate(simId, token).isEmpty()) {
                return new CancelAnswer.NotAParty(shareId);
            }
            if (share.status() != Share.Status.OPEN || share.cutOff()) {
                return new CancelAnswer.CutOff(share);
            }
            Share next = share.cutOffBy(simId.equals(share.borrowerSim()) ? "borrower" : "supplier");
            registry.updateShare(next);
            return new CancelAnswer.CutOff(next);
        } finally {
            lock.unlock();
        }
    }

    /** Marks open shares whose holds expired: their last interim report stands as the settlement. */
    public int sweep() {
        int expired = 0;
        for (Share share : registry.liveShares(SWEEP_BATCH_MAX)) {
            ReentrantLock lock = lockOf(share.id());
            lock.lock();
            try {
                Optional<Share> now = registry.share(share.id());
                if (now.isPresent() && now.get().status() == Share.Status.OPEN
                        && ledger.query(l -> l.openReservationTagged(bytesTag(share.id()))).isEmpty()) {
                    expire(now.get());
                    expired++;
                }
            } finally {
                lock.unlock();
            }
        }
        return expired;
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "share expiry sweep failed, retried next round: " + e.getMessage());
        }
    }

    private Share expire(Share share) {
        // the holds are gone; what the ledger settled is what the registry last saw settled (a
        // share used up to its limit holds nothing either, and has nothing left to settle)
        Share next = share.settled(share.usedBytes() == share.limitBytes() ? Share.Status.SETTLED : Share.Status.EXPIRED,
                share.usedBytes(), share.feePaid());
        registry.updateShare(next);
        return next;
    }

    /** A report with nothing new still proves the base station is alive: hold the rest for another lifetime. */
    private void renew(Share share, ReservationView held) {
        Outcome outcome = ledger.submit(new Command("share." + share.id() + ".renew" + clockMillis.getAsLong(),
                new Linked(List.of(new Commit(held.reservationId(), 0, false),
                        new Reserve(share.supplierAccount(), config.systemAccountId(), Unit.BYTES, held.amount(),
                                config.service(), holdTtl.toMillis(), bytesTag(share.id()))))));
        if (!outcome.accepted()) {
            LOG.log(System.Logger.Level.WARNING, "share " + share.id() + " hold not renewed: " + ((Rejection) outcome).message());
        }
    }

    private void record(Share share, long bytes, long fee, long metered) {
        if (bytes == 0 && fee == 0) {
            return;
        }
        String id = "share." + share.id() + ".m" + metered;
        List<UsageRecord.BalanceChange> balances = new ArrayList<>();
        balances.add(new UsageRecord.BalanceChange(share.supplierAccount(), Unit.BYTES, -bytes));
        if (fee > 0) {
            balances.add(new UsageRecord.BalanceChange(share.borrowerAccount(), Unit.MONEY, -fee));
            balances.add(new UsageRecord.BalanceChange(share.supplierAccount(), Unit.MONEY, fee));
        }
        usage.accept(new UsageRecord(id, clockMillis.getAsLong(), share.borrowerAccount(), "share", share.id(),
                "data-share", config.service().ratingGroup(),
                Map.of("supplierSim", share.supplierSim(), "borrowerSim", share.borrowerSim(),
                        "baseStation", share.baseStationId()),
                null, null, fee > 0 ? UsageRecord.CHARGED : UsageRecord.FREE, Unit.BYTES, bytes, bytes, fee, null,
                balances, List.of(id)));
    }

    private String inactive(String accountId) {
        Optional<AccountView> account = ledger.query(l -> l.account(accountId));
        if (account.isEmpty()) {
            return "account '" + accountId + "' does not exist";
        }
        return account.get().status() == AccountStatus.ACTIVE ? null
                : "account '" + accountId + "' is " + account.get().status();
    }

    private ReentrantLock lockOf(String shareId) {
        return locks[Math.floorMod(shareId.hashCode(), LOCK_STRIPES)];
    }

    /** The same base station and request id always name the same share, so a retried open finds it. */
    static String shareId(String requestKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(requestKey.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static String bytesTag(String shareId) {
        return "share." + shareId;
    }

    static String feeTag(String shareId) {
        return "share." + shareId + ".fee";
    }

    @Override
    public void close() {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
    }
}
