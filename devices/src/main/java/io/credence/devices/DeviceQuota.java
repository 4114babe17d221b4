package io.credence.devices;

import io.credence.charging.DeviceAnswers;
import io.credence.charging.DeviceTerms;
import io.credence.charging.EngineCommand;
import io.credence.charging.EngineOutcome;
import io.credence.journal.EngineGate;
import io.credence.ledger.AccountView;
import io.credence.ledger.BucketView;
import io.credence.ledger.Command;
import io.credence.ledger.Operation;
import io.credence.ledger.Operation.Advance;
import io.credence.ledger.Operation.Step;
import io.credence.ledger.Outcome;
import io.credence.ledger.Rejection;
import io.credence.ledger.ReservationView;
import io.credence.ledger.SequenceView;
import io.credence.ledger.Unit;

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
 * <p>Grants and reports are the charging engine's commands ({@code DeviceGrant}, {@code
 * DeviceReports}): a grant is a reservation tagged with the SIM (one per SIM, so a retried grant
 * request finds the first); a request's numbered reports are counted on the SIM's report stream
 * and charged in the same command, so nothing can separate "counted" from "charged", and a
 * repeated report is a duplicate forever. The usage records are the engine's. This class keeps
 * what the registry holds (SIMs, devices, base stations) and the locks a SIM move needs.
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
    private final LongSupplier clockMillis;
    /** Registration and unbinding check then change one SIM's binding; they are rare, one lock is enough. */
    private final ReentrantLock bindingLock = new ReentrantLock();
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

    public DeviceQuota(EngineGate ledger, DeviceRegistry registry, DeviceQuotaConfig config,
                       LongSupplier clockMillis) {
        this.ledger = new LedgerGate(ledger);
        this.registry = registry;
        this.config = config;
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

    /** The SIM's open grant as the ledger holds it now. */
    private Optional<ReservationView> lookUpGrant(DeviceSim sim) {
        return ledger.query(l -> l.openReservationTagged(tag(sim.simId())));
    }

    /** Holds quota for the SIM: the open grant if there is one, else a new one of up to {@code askedBytes}. */
    public GrantAnswer grant(DeviceSim sim, long askedBytes) {
        ReentrantReadWriteLock.ReadLock lock = simLock(sim.simId()).readLock();
        lock.lock();
        try {
            DeviceSim current = current(sim);
            EngineOutcome.DeviceGranted granted = (EngineOutcome.DeviceGranted) ledger.apply(
                    new EngineCommand.DeviceGrant(current.simId(), current.accountId(), Math.max(0, askedBytes), terms()));
            return switch (granted.answer()) {
                case DeviceAnswers.Granted g -> new GrantAnswer.Granted(grantOf(g.grant()), g.alreadyOpen());
                case DeviceAnswers.Exhausted e -> new GrantAnswer.Exhausted(e.availableBytes());
                case DeviceAnswers.GrantRefused r -> new GrantAnswer.Refused(r.rejection());
            };
        } finally {
            lock.unlock();
        }
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
        return reportAll(sim, List.of(new DeviceAnswers.Report(seq, bytes, last))).getFirst();
    }

    /**
     * Counts and charges numbered reports in order, as one engine command: each is a duplicate
     * (already counted) or counted and charged with the others. At most
     * {@link EngineCommand.DeviceReports#REPORTS_MAX}.
     */
    public List<ReportAnswer> reportAll(DeviceSim sim, List<DeviceAnswers.Report> reports) {
        // shared with other reports and grants, exclusive with a move: a report is charged wholly to
        // the account the SIM had before a move or wholly to the one after
        ReentrantReadWriteLock.ReadLock lock = simLock(sim.simId()).readLock();
        lock.lock();
        try {
            DeviceSim current = current(sim);
            EngineOutcome.DeviceReported reported = (EngineOutcome.DeviceReported) ledger.apply(
                    new EngineCommand.DeviceReports(current.simId(), current.accountId(), current.deviceId(), reports,
                            terms()));
            List<ReportAnswer> answers = new ArrayList<>(reports.size());
            for (int i = 0; i < reports.size(); i++) {
                answers.add(answerOf(current, reports.get(i), reported.answers().get(i)));
            }
            return answers;
        } finally {
            lock.unlock();
        }
    }

    private ReportAnswer answerOf(DeviceSim sim, DeviceAnswers.Report report, DeviceAnswers.ReportAnswer a) {
        return switch (a) {
            case DeviceAnswers.ReportRefused r -> new ReportAnswer.Refused(r.rejection());
            case DeviceAnswers.Reported r -> {
                if (r.overGrantBytes() > 0) {
                    // the device used more than it was granted: charged (an overdraft of the grant,
                    // within the credit limit), but a well-behaved agent never does this
                    reportsOverGrant.increment();
                    bytesOverGrant.add(r.overGrantBytes());
                    overGrant.warn("SIM " + sim.simId() + " (account " + sim.accountId() + ", device "
                            + sim.deviceId() + ") report " + r.seq() + ": " + report.bytes() + " bytes on a grant of "
                            + (report.bytes() - r.overGrantBytes()) + ", " + r.overGrantBytes()
                            + " past the grant (charged as far as the credit limit allows)");
                }
                if (r.unchargedBytes() > 0) {
                    uncharged.warn("SIM " + sim.simId() + " report " + r.seq() + ": " + r.unchargedBytes()
                            + " bytes counted but not charged: past the grant and the credit limit");
                }
                yield new ReportAnswer.Reported(r.seq(), r.duplicate(), r.reportedBytes(), r.returnedBytes(),
                        r.grant() == null ? null : grantOf(r.grant()));
            }
        };
    }

    /** The engine's terms for this server's device quota (carried in each command). */
    private DeviceTerms terms() {
        return new DeviceTerms(config.grantBytesDefault(), config.grantBytesMax(), config.grantTtl().toMillis(),
                config.service(), config.systemAccountId());
    }

    private static Grant grantOf(DeviceAnswers.Grant g) {
        return new Grant(g.grantId(), g.bytes(), g.expiresAtMillis());
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
