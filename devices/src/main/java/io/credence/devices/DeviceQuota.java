package io.credence.devices;

import io.credence.journal.DurableEngine;
import io.credence.ledger.AccountView;
import io.credence.ledger.BucketView;
import io.credence.ledger.Command;
import io.credence.ledger.Operation;
import io.credence.ledger.Operation.Advance;
import io.credence.ledger.Operation.Commit;
import io.credence.ledger.Operation.Reserve;
import io.credence.ledger.Operation.Step;
import io.credence.ledger.Operation.Transfer;
import io.credence.ledger.Outcome;
import io.credence.ledger.Rejection;
import io.credence.ledger.ReservationStatus;
import io.credence.ledger.ReservationView;
import io.credence.ledger.SequenceView;
import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;
import io.credence.records.UsageSink;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;

/**
 * The server side of the cloud-SIM device agent: registration (one SIM, one device), the
 * packages bought for the SIM, pre-authorised grants and usage reports.
 *
 * <p>A grant is a ledger reservation tagged {@code dev.<sim>} (one per SIM, so a retried grant
 * request finds the first). A report is one linked ledger command: advance the SIM's report
 * stream to the report's sequence number (adding its bytes to the SIM's total), commit the bytes
 * from the grant, and hold what is left again. The stream makes a repeated report a no-op
 * forever, not only while the request id is remembered, and it is in the same atomic command as
 * the charge, so a crash can never separate "counted" from "charged".
 */
public final class DeviceQuota {
    public static final String ORIGIN = "device";
    private static final int RACE_RETRIES_MAX = 3;
    private static final int SIM_LOCK_STRIPES = 256;
    private static final int MOVES_SHOWN_MAX = 100;
    private static final long REQUEST_RETENTION_MILLIS = 86_400_000L;
    private static final int REQUESTS_REMEMBERED_MAX = 1_000_000;
    /** At most one warning line per kind in this long; the metrics count every case. */
    static final long WARNING_INTERVAL_MILLIS = 10_000;
    private static final System.Logger LOG = System.getLogger(DeviceQuota.class.getName());

    /** A grant as the agent sees it: what is still held for the SIM. */
    public record Grant(long grantId, long bytes, long expiresAtMillis) {}

    public sealed interface Registration {
        record Registered(String simId, String deviceId, String accountId, String token, long lastReportSeq,
                          long reportedBytes) implements Registration {}

        /** Unknown SIM or wrong secret: the two are not told apart. */
        record BadCredentials() implements Registration {}

        record BoundElsewhere(String deviceId) implements Registration {}
    }

    public sealed interface GrantAnswer {
        record Granted(Grant grant, boolean alreadyOpen) implements GrantAnswer {}

        /** Nothing left to grant: the agent stops data use. */
        record Exhausted(long availableBytes) implements GrantAnswer {}

        record Refused(Rejection rejection) implements GrantAnswer {}
    }

    public sealed interface ReportAnswer {
        /**
         * @param returnedBytes for a final report, what the grant still held and went back to the balance
         * @param grant         the grant still open after the report, or null
         */
        record Reported(long seq, boolean duplicate, long reportedBytes, long returnedBytes, Grant grant)
                implements ReportAnswer {}

        record Refused(Rejection rejection) implements ReportAnswer {}
    }

    /** A SIM as a device sees it: bound, with its account. */
    public record DeviceSim(String simId, String accountId, String deviceId) {}

    public record Packages(long availableBytes, List<BucketView> buckets) {}

    private final LedgerGate ledger;
    private final DeviceRegistry registry;
    private final DeviceQuotaConfig config;
    private final UsageSink usage;
    private final LongSupplier clockMillis;
    /** Registration and unbinding check then change one SIM's binding; they are rare, one lock is enough. */
    private final ReentrantLock bindingLock = new ReentrantLock();
    private final AtomicLong grantRequests = new AtomicLong();
    /**
     * What each SIM's open grant was after the last change made here (empty: none), so a report is
     * one ledger command instead of a lookup and a command. A hint, not the truth: a grant that
     * expired meanwhile makes the command fail, and the report looks in the ledger and tries again.
     * Bounded by the registry's SIM limit.
     */
    private final ConcurrentHashMap<String, Optional<ReservationView>> grantHints = new ConcurrentHashMap<>();
    /**
     * Reports and grants of a SIM share its lock, a move takes it alone (striped: a lock per SIM
     * would cost memory for every SIM, and a move is rare).
     */
    private final ReentrantReadWriteLock[] simLocks = new ReentrantReadWriteLock[SIM_LOCK_STRIPES];
    private final AtomicLong moves = new AtomicLong();
    private final LongAdder reportsOverGrant = new LongAdder();
    private final LongAdder bytesOverGrant = new LongAdder();
    private final RateLimitedLog overGrant;
    private final RateLimitedLog uncharged;

    public DeviceQuota(DurableEngine ledger, DeviceRegistry registry, DeviceQuotaConfig config, UsageSink usage,
                       LongSupplier clockMillis) {
        this.ledger = new LedgerGate(ledger);
        this.registry = registry;
        this.config = config;
        this.usage = usage;
        this.clockMillis = clockMillis;
        for (int i = 0; i < SIM_LOCK_STRIPES; i++) {
            simLocks[i] = new ReentrantReadWriteLock();
        }
        this.overGrant = new RateLimitedLog(LOG, WARNING_INTERVAL_MILLIS, clockMillis);
        this.uncharged = new RateLimitedLog(LOG, WARNING_INTERVAL_MILLIS, clockMillis);
    }

    /** Reports that used more than their grant held (charged beyond it), since start. */
    public long reportsOverGrant() {
        return reportsOverGrant.sum();
    }

    /** The bytes those reports used past their grants. */
    public long bytesOverGrant() {
        return bytesOverGrant.sum();
    }

    // ---- administration

    /**
     * Creates a SIM for an existing account. A SIM that exists is never changed here: the same
     * account and secret again is a retry and answered like the first time, anything else is
     * {@link SimProvisioning.Exists}. A SIM changes account only by {@link #move}, which keeps its
     * report numbering.
     */
    public SimProvisioning provisionSim(String simId, String accountId, String secret) {
        String problem = Names.problem(simId, Names.SIM_ID_LENGTH_MAX);
        if (problem != null) {
            return new SimProvisioning.Invalid("simId", problem);
        }
        problem = Credentials.secretProblem(secret);
        if (problem != null) {
            return new SimProvisioning.Invalid("secret", problem);
        }
        bindingLock.lock();
        try {
            Optional<DeviceRegistry.Sim> existing = registry.sim(simId);
            if (existing.isPresent()) {
                boolean same = existing.get().accountId().equals(accountId)
                        && Credentials.matches(secret, existing.get().secretDigest());
                return same ? new SimProvisioning.Created(simId, accountId, true)
                        : new SimProvisioning.Exists(simId, existing.get().accountId());
            }
            if (ledger.query(l -> l.account(accountId)).isEmpty()) {
                return new SimProvisioning.UnknownAccount(accountId);
            }
            registry.insertSim(simId, accountId, Credentials.digest(secret));
            return new SimProvisioning.Created(simId, accountId, false);
        } finally {
            bindingLock.unlock();
        }
    }

    /** Frees the SIM from its device (an admin's decision), so another device may register it. */
    public boolean unbind(String simId) {
        bindingLock.lock();
        try {
            if (registry.sim(simId).isEmpty()) {
                return false;
            }
            registry.bind(simId, null, null);
            return true;
        } finally {
            bindingLock.unlock();
        }
    }

    /**
     * Gives the SIM to another account (an admin's decision, audited), with its secret and its
     * device binding. The ledger's report streams are per account, so "keeping the sequence" is
     * done in the ledger, in one linked command: the new account's stream for the SIM is advanced
     * to the SIM's last report number (carrying its running total), so a report already charged
     * to the old account is a duplicate on the new one for ever; and the SIM's open grant, a hold
     * on the old account's quota, is released. Reports and grants of the SIM wait meanwhile, so
     * each is charged wholly before or wholly after the move. Usage the device reports after the
     * move is charged to the new account.
     *
     * @param byKey     the API key that asked, for the audit trail
     * @param requestId the admin's request id, for the audit trail (null: none)
     */
    public SimMoveAnswer move(String simId, String toAccountId, String byKey, String requestId) {
        ReentrantReadWriteLock.WriteLock exclusive = simLock(simId).writeLock();
        exclusive.lock();
        bindingLock.lock();
        try {
            Optional<DeviceRegistry.Sim> found = registry.sim(simId);
            if (found.isEmpty()) {
                return new SimMoveAnswer.UnknownSim(simId);
            }
            DeviceRegistry.Sim sim = found.get();
            String from = sim.accountId();
            SequenceView was = reportStream(sim);
            if (from.equals(toAccountId)) {
                return new SimMoveAnswer.Moved(simId, from, toAccountId, false, was.lastSeq(), was.total(), sim.deviceId());
            }
            if (ledger.query(l -> l.account(toAccountId)).isEmpty()) {
                return new SimMoveAnswer.UnknownAccount(toAccountId);
            }
            for (int attempt = 0; ; attempt++) {
                SequenceView source = ledger.query(l -> l.sequence(from, stream(simId)))
                        .orElse(new SequenceView(stream(simId), 0, 0));
                SequenceView target = ledger.query(l -> l.sequence(toAccountId, stream(simId)))
                        .orElse(new SequenceView(stream(simId), 0, 0));
                Optional<ReservationView> grant = ledger.query(l -> l.openReservationTagged(tag(simId)));
                List<Step> steps = new ArrayList<>();
                grant.ifPresent(g -> steps.add(new Operation.Release(g.reservationId())));
                if (source.lastSeq() > target.lastSeq()) {
                    steps.add(new Advance(toAccountId, stream(simId), source.lastSeq(),
                            Math.max(0, source.total() - target.total())));
                }
                Outcome outcome = steps.isEmpty() ? null : ledger.submit(new Command("dev." + simId + ".move"
                        + clockMillis.getAsLong() + "." + moves.incrementAndGet(), new Operation.Linked(steps)));
                if (outcome != null && !outcome.accepted()) {
                    Rejection rejected = (Rejection) outcome;
                    boolean grantRaced = rejected instanceof Rejection.LinkedRejected r && r.stepIndex() == 0
                            && grant.isPresent() && (r.cause() instanceof Rejection.Expired
                            || r.cause() instanceof Rejection.ReservationClosed);
                    if (grantRaced && attempt < RACE_RETRIES_MAX) {
                        continue; // the grant expired between looking and releasing: look again
                    }
                    return new SimMoveAnswer.Refused(rejected);
                }
                long lastSeq = Math.max(source.lastSeq(), target.lastSeq());
                registry.moveSim(simId, toAccountId, new DeviceRegistry.SimMove(clockMillis.getAsLong(), simId, from,
                        toAccountId, lastSeq, byKey, requestId));
                grantHints.remove(simId);
                LOG.log(System.Logger.Level.INFO, "SIM " + simId + " moved from account " + from + " to " + toAccountId
                        + " by key " + byKey + (requestId == null ? "" : " (request " + requestId + ")")
                        + ": reports continue after seq " + lastSeq
                        + (grant.isPresent() ? "; its grant of " + grant.get().amount() + " bytes was released" : ""));
                long total = Math.max(source.total(), target.total());
                return new SimMoveAnswer.Moved(simId, from, toAccountId, true, lastSeq, total, sim.deviceId());
            }
        } finally {
            bindingLock.unlock();
            exclusive.unlock();
        }
    }

    /** The SIM's moves between accounts, oldest first. */
    public List<DeviceRegistry.SimMove> moves(String simId) {
        return registry.moves(simId, MOVES_SHOWN_MAX);
    }

    /** The first answer to an admin request id (SIM and base-station provisioning, moves, unbinding), if remembered. */
    public Optional<DeviceRegistry.RememberedRequest> rememberedRequest(String requestId) {
        return registry.rememberedRequest(requestId);
    }

    /**
     * Remembers an admin request's answer for a day (at most a million of them, the oldest
     * forgotten first): provisioning is rare and retried by hand or by a script, not a network stack.
     */
    public void rememberRequest(String requestId, DeviceRegistry.RememberedRequest answer) {
        long now = clockMillis.getAsLong();
        registry.rememberRequest(requestId, answer, now, now - REQUEST_RETENTION_MILLIS, REQUESTS_REMEMBERED_MAX);
    }

    /** The SIM as the registry holds it now: a report or grant in flight during a move sees the new account. */
    private DeviceSim current(DeviceSim sim) {
        return registry.sim(sim.simId()).map(s -> new DeviceSim(sim.simId(), s.accountId(), sim.deviceId())).orElse(sim);
    }

    private ReentrantReadWriteLock simLock(String simId) {
        return simLocks[Math.floorMod(simId.hashCode(), SIM_LOCK_STRIPES)];
    }

    /** Why the base station cannot be provisioned, or null once it is. */
    public String provisionBaseStation(String id, String secret) {
        String problem = Names.problem(id, Names.BASE_STATION_ID_LENGTH_MAX);
        if (problem != null) {
            return "baseStationId: " + problem;
        }
        problem = Credentials.secretProblem(secret);
        if (problem != null) {
            return "secret: " + problem;
        }
        registry.putBaseStation(id, Credentials.digest(secret));
        return null;
    }

    // ---- the device's calls

    public Registration register(String simId, String deviceId, String secret) {
        bindingLock.lock();
        try {
            Optional<DeviceRegistry.Sim> found = registry.sim(simId);
            if (found.isEmpty() || !Credentials.matches(secret, found.get().secretDigest())) {
                return new Registration.BadCredentials();
            }
            DeviceRegistry.Sim sim = found.get();
            if (sim.deviceId() != null && !sim.deviceId().equals(deviceId)) {
                return new Registration.BoundElsewhere(sim.deviceId());
            }
            String token = Credentials.newToken();
            registry.bind(simId, deviceId, Credentials.digest(token));
            SequenceView stream = reportStream(sim);
            return new Registration.Registered(simId, deviceId, sim.accountId(), token, stream.lastSeq(), stream.total());
        } finally {
            bindingLock.unlock();
        }
    }

    /** Sets the terminal's home base station; why not (unknown SIM or base station), or null. */
    public String setHomeBaseStation(String simId, String baseStationId) {
        if (registry.sim(simId).isEmpty()) {
            return "no SIM '" + simId + "'";
        }
        if (registry.baseStation(baseStationId).isEmpty()) {
            return "no base station '" + baseStationId + "'";
        }
        registry.putHomeBaseStation(simId, baseStationId);
        return null;
    }

    /** The base station that allocates relay resources for the terminal, if it has one. */
    public Optional<String> homeBaseStation(String simId) {
        return registry.homeBaseStation(simId);
    }

    /** Whether {@code secret} is the base station's. */
    public boolean baseStationKnown(String baseStationId, String secret) {
        return registry.baseStation(baseStationId).filter(b -> Credentials.matches(secret, b.secretDigest())).isPresent();
    }

    /** The SIM for support staff (an admin key): no device token needed. */
    public Optional<DeviceSim> adminView(String simId) {
        return registry.sim(simId).map(sim -> new DeviceSim(sim.simId(), sim.accountId(),
                sim.deviceId() == null ? "" : sim.deviceId()));
    }

    /** The bound SIM when {@code token} is its current device token. */
    public Optional<DeviceSim> authenticate(String simId, String token) {
        return registry.sim(simId)
                .filter(sim -> sim.deviceId() != null && Credentials.matches(token, sim.tokenDigest()))
                .map(sim -> new DeviceSim(sim.simId(), sim.accountId(), sim.deviceId()));
    }

    /** The buckets that pay for device data, and what a grant could take now. */
    public Packages packages(DeviceSim sim) {
        Optional<AccountView> account = ledger.query(l -> l.account(sim.accountId()));
        List<BucketView> buckets = account.map(a -> a.buckets().stream()
                .filter(b -> b.unit() == Unit.BYTES && b.services().covers(config.service())).toList()).orElse(List.of());
        long available = ledger.query(l -> l.available(sim.accountId(), Unit.BYTES, config.service())).orElse(0L);
        return new Packages(available, buckets);
    }

    /** The SIM's totals: the last report sequence and every byte reported. */
    public SequenceView reported(DeviceSim sim) {
        return ledger.query(l -> l.sequence(sim.accountId(), stream(sim.simId())))
                .orElse(new SequenceView(stream(sim.simId()), 0, 0));
    }

    public Optional<Grant> openGrant(DeviceSim sim) {
        return lookUpGrant(sim).map(DeviceQuota::grantOf);
    }

    /** The SIM's open grant as the ledger holds it now; refreshes the hint. */
    private Optional<ReservationView> lookUpGrant(DeviceSim sim) {
        Optional<ReservationView> grant = ledger.query(l -> l.openReservationTagged(tag(sim.simId())));
        grantHints.put(sim.simId(), grant);
        return grant;
    }

    private Optional<ReservationView> hintedGrant(DeviceSim sim) {
        Optional<ReservationView> hint = grantHints.get(sim.simId());
        if (hint == null || hint.isPresent() && hint.get().expiresAtMillis() <= clockMillis.getAsLong()) {
            return lookUpGrant(sim);
        }
        return hint;
    }

    /** Holds quota for the SIM: the open grant if there is one, else a new one of up to {@code askedBytes}. */
    public GrantAnswer grant(DeviceSim sim, long askedBytes) {
        ReentrantReadWriteLock.ReadLock lock = simLock(sim.simId()).readLock();
        lock.lock();
        try {
            return grantLocked(current(sim), askedBytes);
        } finally {
            lock.unlock();
        }
    }

    private GrantAnswer grantLocked(DeviceSim sim, long askedBytes) {
        long wanted = Math.min(askedBytes > 0 ? askedBytes : config.grantBytesDefault(), config.grantBytesMax());
        for (int attempt = 0; attempt < RACE_RETRIES_MAX; attempt++) {
            Optional<Grant> open = openGrant(sim);
            if (open.isPresent()) {
                return new GrantAnswer.Granted(open.get(), true);
            }
            long available = ledger.query(l -> l.available(sim.accountId(), Unit.BYTES, config.service())).orElse(0L);
            long amount = Math.min(wanted, available);
            if (amount <= 0) {
                return new GrantAnswer.Exhausted(Math.max(0, available));
            }
            // A fresh id per attempt: the tag, not the request id, keeps a SIM to one grant.
            String requestId = "dev." + sim.simId() + ".g" + clockMillis.getAsLong() + "." + grantRequests.incrementAndGet();
            Outcome outcome = ledger.submit(new Command(requestId, new Reserve(sim.accountId(), config.systemAccountId(),
                    Unit.BYTES, amount, config.service(), config.grantTtl().toMillis(), tag(sim.simId()))));
            switch (outcome) {
                case Outcome.Reserved r -> {
                    hint(sim, r);
                    return new GrantAnswer.Granted(new Grant(r.reservationId(), r.amount(), r.expiresAtMillis()), false);
                }
                // another request took the tag, or the balance moved since we looked: look again
                case Rejection.InvalidOperation taken when taken.field().equals("tag") -> { }
                case Rejection.InsufficientBalance moved -> { }
                case Rejection other -> {
                    return new GrantAnswer.Refused(other);
                }
                default -> throw new IllegalStateException("a reserve answered " + outcome);
            }
        }
        return new GrantAnswer.Exhausted(0);
    }

    /**
     * Counts and charges one usage report. {@code last} returns the grant: its bytes are charged
     * and what it still held goes back to the balance. A report whose grant is gone (expired while
     * the device was offline) is charged from the balance directly; usage beyond what the account
     * can pay is still counted (it happened) and logged as not charged.
     */
    public ReportAnswer report(DeviceSim sim, long seq, long bytes, boolean last) {
        if (seq <= 0 || bytes < 0) {
            throw new IllegalArgumentException("seq must be > 0 and bytes >= 0");
        }
        // shared with other reports and grants, exclusive with a move: a report is charged wholly to
        // the account the SIM had before a move or wholly to the one after
        ReentrantReadWriteLock.ReadLock lock = simLock(sim.simId()).readLock();
        lock.lock();
        try {
            return reportLocked(current(sim), seq, bytes, last);
        } finally {
            lock.unlock();
        }
    }

    private ReportAnswer reportLocked(DeviceSim sim, long seq, long bytes, boolean last) {
        String requestId = "dev." + sim.simId() + ".r" + seq;
        Advance count = new Advance(sim.accountId(), stream(sim.simId()), seq, bytes);
        for (int attempt = 0; attempt < RACE_RETRIES_MAX; attempt++) {
            Optional<ReservationView> grant = attempt == 0 ? hintedGrant(sim) : lookUpGrant(sim);
            List<Step> steps = new ArrayList<>(List.of(count));
            steps.addAll(charge(sim, grant, bytes, last, true));
            Outcome outcome = ledger.submit(new Command(requestId, new Operation.Linked(steps)));
            if (outcome instanceof Rejection.LinkedRejected rejected && rejected.stepIndex() > 0
                    && (rejected.cause() instanceof Rejection.CreditLimitExceeded
                    || rejected.cause() instanceof Rejection.InsufficientBalance)) {
                // the account cannot pay for usage beyond its grant: count it, charge what can be
                List<Step> capped = new ArrayList<>(List.of(count));
                capped.addAll(charge(sim, grant, bytes, last, false));
                outcome = ledger.submit(new Command(requestId + ".capped", new Operation.Linked(capped)));
                if (outcome.accepted()) {
                    long charged = grant.map(ReservationView::amount).orElse(0L);
                    uncharged.warn("SIM " + sim.simId() + " report " + seq + ": " + (bytes - Math.min(bytes, charged))
                            + " bytes counted but not charged: " + rejected.cause().message());
                }
            }
            switch (outcome) {
                case Outcome.LinkedApplied applied -> {
                    Outcome.Advanced advanced = (Outcome.Advanced) applied.steps().getFirst();
                    long returned = 0;
                    Grant still = null;
                    for (Outcome step : applied.steps()) {
                        if (step instanceof Outcome.Committed c && last) {
                            returned = c.released();
                        } else if (step instanceof Outcome.Reserved r) {
                            still = new Grant(r.reservationId(), r.amount(), r.expiresAtMillis());
                        }
                    }
                    if (still == null) {
                        grantHints.put(sim.simId(), Optional.empty());
                    } else {
                        hint(sim, still);
                    }
                    if (grant.isPresent() && bytes > grant.get().amount()) {
                        // the device used more than it was granted: charged (an overdraft of the
                        // grant, within the credit limit), but a well-behaved agent never does this
                        long over = bytes - grant.get().amount();
                        reportsOverGrant.increment();
                        bytesOverGrant.add(over);
                        overGrant.warn("SIM " + sim.simId() + " (account " + sim.accountId() + ", device "
                                + sim.deviceId() + ") report " + seq + " used " + bytes + " bytes on a grant of "
                                + grant.get().amount() + ": " + over + " bytes past the grant (charged as far as the credit "
                                + "limit allows)");
                    }
                    record(sim, seq, bytes);
                    return new ReportAnswer.Reported(seq, false, advanced.total(), returned, still);
                }
                case Rejection.LinkedRejected stale when stale.stepIndex() == 0
                        && stale.cause() instanceof Rejection.StaleSequence -> {
                    return duplicate(sim, seq, bytes);
                }
                // the request id was used for a different command: this seq was applied before
                // with the grant as it was then
                case Rejection.DuplicateRequest again -> {
                    return duplicate(sim, seq, bytes);
                }
                // the grant changed between looking and charging (a concurrent report, an expiry)
                case Rejection.LinkedRejected raced when raced.cause() instanceof Rejection.ReservationClosed
                        || raced.cause() instanceof Rejection.UnknownReservation
                        || raced.cause() instanceof Rejection.Expired
                        || (raced.cause() instanceof Rejection.InvalidOperation tag && tag.field().equals("tag")) -> { }
                case Rejection other -> {
                    return new ReportAnswer.Refused(other);
                }
                default -> throw new IllegalStateException("a report answered " + outcome);
            }
        }
        throw new LedgerUnavailable("SIM " + sim.simId() + "'s grant kept changing under report " + seq
                + "; retry", true);
    }

    private void hint(DeviceSim sim, Outcome.Reserved r) {
        hint(sim, new Grant(r.reservationId(), r.amount(), r.expiresAtMillis()));
    }

    private void hint(DeviceSim sim, Grant g) {
        grantHints.put(sim.simId(), Optional.of(new ReservationView(g.grantId(), ReservationStatus.OPEN, sim.accountId(),
                config.systemAccountId(), Unit.BYTES, g.bytes(), config.service(), g.expiresAtMillis(), 0)));
    }

    private List<Step> charge(DeviceSim sim, Optional<ReservationView> grant, long bytes, boolean last,
                              boolean beyondGrant) {
        List<Step> steps = new ArrayList<>();
        if (grant.isPresent()) {
            long held = grant.get().amount();
            long id = grant.get().reservationId();
            if (bytes <= held) {
                steps.add(new Commit(id, bytes, false));
                if (!last && held > bytes) {
                    steps.add(new Reserve(sim.accountId(), config.systemAccountId(), Unit.BYTES, held - bytes,
                            config.service(), config.grantTtl().toMillis(), tag(sim.simId())));
                }
            } else {
                steps.add(beyondGrant ? new Commit(id, bytes, true) : new Commit(id, held, false));
            }
        } else if (bytes > 0 && beyondGrant) {
            steps.add(new Transfer(sim.accountId(), config.systemAccountId(), Unit.BYTES, bytes, config.service()));
        }
        return steps;
    }

    private ReportAnswer duplicate(DeviceSim sim, long seq, long bytes) {
        // The first attempt may have been answered by a process that died before writing its
        // record; the agent resends the same bytes under the same seq, so the record is the same.
        record(sim, seq, bytes);
        SequenceView stream = reported(sim);
        return new ReportAnswer.Reported(seq, true, stream.total(), 0, openGrant(sim).orElse(null));
    }

    private void record(DeviceSim sim, long seq, long bytes) {
        String id = "dev." + sim.simId() + ".r" + seq;
        usage.accept(new UsageRecord(id, clockMillis.getAsLong(), sim.accountId(), ORIGIN, sim.simId(), "device-data",
                config.service().ratingGroup(), Map.of("deviceId", sim.deviceId()), null, null, UsageRecord.CHARGED,
                Unit.BYTES, bytes, bytes, 0, null,
                List.of(new UsageRecord.BalanceChange(sim.accountId(), Unit.BYTES, -bytes)), List.of(id)));
    }

    private SequenceView reportStream(DeviceRegistry.Sim sim) {
        return ledger.query(l -> l.sequence(sim.accountId(), stream(sim.simId())))
                .orElse(new SequenceView(stream(sim.simId()), 0, 0));
    }

    private static Grant grantOf(ReservationView r) {
        return new Grant(r.reservationId(), r.amount(), r.expiresAtMillis());
    }

    static String stream(String simId) {
        return "sim." + simId;
    }

    static String tag(String simId) {
        return "dev." + simId;
    }
}
