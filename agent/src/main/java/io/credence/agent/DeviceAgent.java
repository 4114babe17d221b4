package io.credence.agent;

import io.credence.agent.AgentStore.LocalGrant;
import io.credence.agent.AgentStore.PendingReport;
import io.credence.agent.Exchange.Answered;
import io.credence.agent.Exchange.NoAnswer;
import io.credence.agent.Exchange.Refused;

import java.net.http.HttpClient;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The device quota agent: the terminal's data path asks {@link #use} for bytes, and a reporter
 * running every {@code reportInterval} reports what was used, returns grants and asks for new ones.
 *
 * <p>Every accepted byte is in SQLite before use() returns; every report is numbered and persisted
 * before it is sent, and re-sent unchanged until the server answers 200. Since the server answers
 * a repeated seq as a duplicate and a repeated grant request with the grant already open, any
 * crash or lost answer is repaired by sending again: nothing is charged twice or lost.
 *
 * <p>One reporting cycle, in order (any step without a usable answer ends the cycle; the next
 * interval starts again from the top):
 * <ol>
 *   <li>number the unreported usage rows as one report, unless a report is already pending (so an
 *       offline device keeps at most one plain report, plus its rows waiting behind it);</li>
 *   <li>register when no device token is held; fetch the package list once;</li>
 *   <li>send the pending reports oldest first, each only after the one before was answered;</li>
 *   <li>when the grant is used to {@code renewAtFraction} of its bytes or its validity (or the
 *       agent drains): number a final report with whatever was used since, send it: the grant is
 *       returned;</li>
 *   <li>without a grant, ask for one (403 quota-exhausted: EXHAUSTED, asked again next cycle).</li>
 * </ol>
 *
 * <p>Many agents can share one JVM: pass one {@link HttpClient} and one
 * {@link ScheduledExecutorService} to all of them. The scheduler only starts each cycle on a
 * virtual thread, so a thread blocked on the network never holds up another agent.
 */
public final class DeviceAgent implements AutoCloseable {
    /** Cycles drain() runs before giving up; each sends everything pending once. */
    static final int DRAIN_PASSES_MAX = 3;
    /**
     * A server's Date header has whole seconds and is cut, not rounded: the grant's validity read
     * from it is shortened by this much so the agent never draws on a grant the server has expired.
     */
    static final Duration SERVER_DATE_RESOLUTION = Duration.ofSeconds(1);
    /** Longest grant validity believed; keeps the millisecond arithmetic far from overflow. */
    static final Duration GRANT_VALIDITY_MAX = Duration.ofDays(3650);

    private final AgentConfig config;
    private final DeviceApi api;
    private final AgentStore store;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final HttpClient ownedHttp;
    private final Clock clock;
    /** Held for a whole cycle, network calls included; use() never takes it. */
    private final ReentrantLock cycleLock = new ReentrantLock();
    private final AtomicBoolean kickQueued = new AtomicBoolean();

    private volatile AgentState state;
    private volatile String problem;
    private volatile String packagesProblem;
    private volatile PackageList packages;
    private volatile boolean started;
    private volatile boolean draining;
    private volatile boolean stopped;
    private volatile long kickedGrantId = Long.MIN_VALUE;
    private volatile ScheduledFuture<?> nextCycle;

    /** An agent with its own HTTP client and scheduler thread, both closed by {@link #close}. */
    public DeviceAgent(AgentConfig config) throws SQLException {
        this(config, null, null, Clock.systemUTC());
    }

    /**
     * An agent sharing {@code http} and {@code scheduler} with others; closing the agent leaves
     * both open.
     *
     * @throws SQLException when the database cannot be opened, is not an agent database, or
     *                      belongs to another SIM or device (the message says which)
     */
    public DeviceAgent(AgentConfig config, HttpClient http, ScheduledExecutorService scheduler) throws SQLException {
        this(config, Objects.requireNonNull(http, "http"), Objects.requireNonNull(scheduler, "scheduler"),
                Clock.systemUTC());
    }

    /** Tests pass a clock to move grant expiry; null http or scheduler means the agent's own. */
    DeviceAgent(AgentConfig config, HttpClient http, ScheduledExecutorService scheduler, Clock clock)
            throws SQLException {
        this.config = config;
        this.clock = clock;
        this.store = AgentStore.open(config.database(), config.simId(), config.deviceId(), config.unreportedRowsMax());
        this.ownedHttp = http == null ? DeviceApi.newHttpClient(config.requestTimeout()) : null;
        this.api = new DeviceApi(http == null ? ownedHttp : http, config.server(), config.apiKey(), config.simId(),
                config.requestTimeout());
        this.ownsScheduler = scheduler == null;
        this.scheduler = scheduler != null ? scheduler : Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("credence-agent-" + config.simId()).daemon().factory());
        this.state = store.token() == null ? AgentState.REGISTERING : AgentState.OFFLINE;
    }

    /**
     * Runs the first cycle (register when no token is stored, fetch packages, send what is pending,
     * get a grant) and starts the reporter. Never fails for the network: an unreachable server
     * leaves the agent OFFLINE, trying again each interval, and a refused registration leaves it
     * REGISTERING with the reason in {@link AgentStatus#problem()}.
     */
    public AgentStatus start() throws InterruptedException {
        if (started || stopped) {
            throw new IllegalStateException(stopped ? "the agent is stopped" : "the agent is already started");
        }
        started = true;
        runCycle();
        scheduleNext();
        return status();
    }

    /**
     * The data path asks to use {@code bytes}. Answers how many it may use now: at most the grant's
     * remainder, 0 without a usable grant (none, being returned, expired, EXHAUSTED), when
     * unreportedRowsMax rows are waiting, while draining and after stop. The bytes answered are
     * on disk before this returns.
     */
    public long use(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0, was " + bytes);
        }
        if (bytes == 0 || draining || stopped) {
            return 0;
        }
        long accepted;
        try {
            accepted = store.use(bytes, clock.millis());
        } catch (SQLException e) {
            // Refusing is the only safe answer: a use that is not on disk could never be charged.
            problem = "local database: " + e.getMessage();
            return 0;
        }
        if (accepted > 0) {
            LocalGrant grant = store.grant();
            // One early cycle per grant: a failing renewal waits for the interval, not for each use.
            if (grant != null && grant.grantId() != kickedGrantId && renewalDue(grant)) {
                kickedGrantId = grant.grantId();
                kick();
            }
        }
        return accepted;
    }

    /** Runs one reporting cycle now, in this thread, after any cycle already running. */
    public AgentStatus reportNow() throws InterruptedException {
        runCycle();
        return status();
    }

    /**
     * Stops taking use and tries, up to {@link #DRAIN_PASSES_MAX} cycles apart by the report
     * interval, to send every report and return the grant. Call it before {@link #stop}.
     *
     * @return true when nothing is left: no pending report, no unreported row, no grant held
     */
    public boolean drain() throws InterruptedException {
        draining = true;
        for (int pass = 1; pass <= DRAIN_PASSES_MAX && !stopped; pass++) {
            runCycle();
            if (drained()) {
                return true;
            }
            if (pass < DRAIN_PASSES_MAX) {
                Thread.sleep(config.reportInterval());
            }
        }
        return drained();
    }

    /** Stops the reporter, waiting for a cycle under way. What is pending stays in the database. */
    public void stop() throws SQLException {
        stopped = true;
        ScheduledFuture<?> next = nextCycle;
        if (next != null) {
            next.cancel(false);
        }
        cycleLock.lock();
        try {
            state = AgentState.STOPPED;
            store.saveState(AgentState.STOPPED);
        } finally {
            cycleLock.unlock();
        }
    }

    /** Stops (without draining) and closes the database and whatever the agent created itself. */
    @Override
    public void close() throws SQLException {
        try {
            stop();
        } finally {
            store.close();
            if (ownsScheduler) {
                scheduler.shutdownNow();
            }
            if (ownedHttp != null) {
                ownedHttp.close();
            }
        }
    }

    public AgentStatus status() {
        return store.status(state, problem, clock.millis());
    }

    /** The package list fetched at start, once the server answered it. */
    public Optional<PackageList> packages() {
        return Optional.ofNullable(packages);
    }

    public AgentConfig config() {
        return config;
    }

    /** For tests that set up the database directly. */
    AgentStore store() {
        return store;
    }

    // ------------------------------------------------------------------ scheduling

    private void scheduleNext() {
        if (stopped) {
            return;
        }
        nextCycle = scheduler.schedule(() -> Thread.ofVirtual().name("credence-agent-" + config.simId())
                .start(this::scheduledCycle), config.reportInterval().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void scheduledCycle() {
        try {
            runCycle();
        } catch (InterruptedException e) {
            return; // only stop() interrupts, by shutting an owned scheduler down
        }
        // Not in a finally: after a broken invariant the reporter stays stopped and the data kept.
        scheduleNext();
    }

    private void kick() {
        if (!started || stopped || !kickQueued.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("credence-agent-" + config.simId()).start(() -> {
            try {
                runCycle();
            } catch (InterruptedException e) {
                // stopping
            } finally {
                kickQueued.set(false);
            }
        });
    }

    private void runCycle() throws InterruptedException {
        cycleLock.lock();
        try {
            if (stopped) {
                return;
            }
            try {
                cycle();
            } catch (SQLException e) {
                // The cycle's changes are all-or-nothing per transaction: the next cycle resumes.
                problem = "local database: " + e.getMessage();
            }
        } finally {
            cycleLock.unlock();
        }
    }

    // ------------------------------------------------------------------ one cycle

    private void cycle() throws SQLException, InterruptedException {
        if (store.pendingReports().isEmpty()) {
            store.assignReport(false);
        }
        if (store.token() == null && !register()) {
            return;
        }
        String token = store.token();
        if (packages == null && !fetchPackages(token)) {
            return;
        }
        if (!sendPending(token)) {
            return;
        }
        LocalGrant grant = store.grant();
        AgentStore.check(grant == null || !grant.returning(), "no grant is returning once every report is answered");
        if (grant != null && (draining || renewalDue(grant))) {
            store.assignReport(true);
            if (!sendPending(token)) {
                return;
            }
        }
        if (draining) {
            // Rows used before draining began and numbered after the final report went out.
            if (store.assignReport(false).isPresent() && !sendPending(token)) {
                return;
            }
        } else if (store.grant() == null && !obtainGrant(token)) {
            return;
        }
        settle(AgentState.ACTIVE, packagesProblem);
    }

    private boolean register() throws SQLException, InterruptedException {
        switch (api.register(config.deviceId(), config.simSecret())) {
            case Answered<Registration>(Registration registration, Instant ignored) -> {
                store.saveRegistration(registration.token(), registration.accountId(), registration.lastReportSeq(),
                        registration.reportedBytes());
                return true;
            }
            case Refused<Registration>(Problem refusal) -> {
                settle(AgentState.REGISTERING, "registration refused: " + refusal.describe());
                return false;
            }
            case NoAnswer<Registration>(String reason) -> {
                settle(AgentState.OFFLINE, reason);
                return false;
            }
        }
    }

    /** False only when the cycle cannot go on; a refused list is retried next cycle but blocks nothing. */
    private boolean fetchPackages(String token) throws SQLException, InterruptedException {
        switch (api.packages(token)) {
            case Answered<PackageList>(PackageList list, Instant ignored) -> {
                packages = list;
                packagesProblem = null;
                return true;
            }
            case Refused<PackageList>(Problem refusal) -> {
                if (refusal.status() == 401) {
                    return tokenRefused(refusal);
                }
                packagesProblem = "packages refused: " + refusal.describe();
                return true;
            }
            case NoAnswer<PackageList>(String reason) -> {
                settle(AgentState.OFFLINE, reason);
                return false;
            }
        }
    }

    /**
     * Sends the pending reports oldest first. One report goes alone; reports kept while offline go
     * in batches (one request, one engine command on the server), each batch only after the one
     * before it was answered, so the server counts them in order.
     */
    private boolean sendPending(String token) throws SQLException, InterruptedException {
        List<PendingReport> pending = store.pendingReports();
        if (pending.size() == 1) {
            PendingReport report = pending.getFirst();
            return switch (api.report(token, report.seq(), report.bytes(), report.finalReport())) {
                case Answered<ReportAnswer>(ReportAnswer answer, Instant ignored) -> {
                    store.acknowledge(report.seq(), answer.reportedBytes());
                    yield true;
                }
                case Refused<ReportAnswer>(Problem refusal) -> reportRefused(refusal, "report " + report.seq());
                case NoAnswer<ReportAnswer>(String reason) -> {
                    settle(AgentState.OFFLINE, reason);
                    yield false;
                }
            };
        }
        for (int from = 0; from < pending.size(); from += DeviceApi.REPORTS_PER_BATCH) {
            List<PendingReport> batch = pending.subList(from, Math.min(pending.size(), from + DeviceApi.REPORTS_PER_BATCH));
            switch (api.reportBatch(token, batch)) {
                case Answered<List<ReportAnswer>>(List<ReportAnswer> answers, Instant ignored) -> {
                    for (ReportAnswer answer : answers) {
                        store.acknowledge(answer.seq(), answer.reportedBytes());
                    }
                }
                case Refused<List<ReportAnswer>>(Problem refusal) -> {
                    return reportRefused(refusal, "reports " + batch.getFirst().seq() + ".." + batch.getLast().seq());
                }
                case NoAnswer<List<ReportAnswer>>(String reason) -> {
                    settle(AgentState.OFFLINE, reason);
                    return false;
                }
            }
        }
        return true;
    }

    private boolean reportRefused(Problem refusal, String what) throws SQLException {
        if (refusal.status() == 401) {
            return tokenRefused(refusal);
        }
        // Kept and sent again: dropping a report would lose charged usage.
        settle(AgentState.OFFLINE, what + " refused: " + refusal.describe());
        return false;
    }

    private boolean obtainGrant(String token) throws SQLException, InterruptedException {
        switch (api.requestGrant(token, config.grantBytes())) {
            case Answered<Grant>(Grant grant, Instant serverDate) -> {
                long now = clock.millis();
                store.openGrant(grant.grantId(), grant.bytes(), now, now + validityMillis(grant, serverDate, now));
                return true;
            }
            case Refused<Grant>(Problem refusal) -> {
                if (refusal.status() == 401) {
                    return tokenRefused(refusal);
                }
                settle(refusal.is(Problem.QUOTA_EXHAUSTED) ? AgentState.EXHAUSTED : AgentState.OFFLINE,
                        "grant refused: " + refusal.describe());
                return false;
            }
            case NoAnswer<Grant>(String reason) -> {
                settle(AgentState.OFFLINE, reason);
                return false;
            }
        }
    }

    /**
     * How long the grant is valid, measured on the server's clock when its Date header came
     * along: a terminal's clock may be far off (a device booting without time is common).
     */
    static long validityMillis(Grant grant, Instant serverDate, long nowMillis) {
        Instant serverNow = serverDate == null ? Instant.ofEpochMilli(nowMillis) : serverDate.plus(SERVER_DATE_RESOLUTION);
        Duration validity = Duration.between(serverNow, grant.expiresAt());
        if (validity.isNegative()) {
            return 0;
        }
        return validity.compareTo(GRANT_VALIDITY_MAX) > 0 ? GRANT_VALIDITY_MAX.toMillis() : validity.toMillis();
    }

    /** The server no longer takes the device token (a newer registration replaced it): register again. */
    private boolean tokenRefused(Problem refusal) throws SQLException {
        store.dropToken();
        settle(AgentState.REGISTERING, "device token refused, registering again: " + refusal.describe());
        return false;
    }

    private boolean renewalDue(LocalGrant grant) {
        double fraction = config.renewAtFraction();
        boolean bytesDue = store.grantUsedBytes() >= (long) Math.ceil(fraction * grant.bytes());
        long validity = grant.expiresAtMillis() - grant.grantedAtMillis();
        boolean timeDue = clock.millis() >= grant.grantedAtMillis() + (long) (fraction * validity);
        return bytesDue || timeDue;
    }

    private boolean drained() {
        return store.grant() == null && store.pendingReports().isEmpty() && store.unassignedRows() == 0;
    }

    private void settle(AgentState next, String reason) throws SQLException {
        state = next;
        problem = reason;
        store.saveState(next);
    }
}
