package io.credence.server;

import io.credence.admission.AdmissionControl;
import io.credence.admission.AdmissionPolicy;
import io.credence.admission.AdmissionResult;
import io.credence.admission.ChargingParameters;
import io.credence.admission.QosRequest;
import io.credence.http.Admissions;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The shell around the core's {@link AdmissionControl}: one lock serialises every command (the
 * core is single-threaded), the clock is read here, and a scheduled task runs the periodic
 * maintenance ({@link AdmissionControl#reconcile}) with whatever policy the supplier gives, so a
 * reloaded catalog's capacities apply at the next reconcile rather than in the middle of a burst.
 *
 * <p>The supplier may give null: no admission configured. If it gives a policy later (a reload
 * added the section) admission starts at that reconcile; if it gives null after a policy, the
 * policy in force stays, since switching admission off would silently forget live admissions.
 * The lock is held only for in-memory work, never across I/O.
 *
 * <p><b>Billing.</b> Who pays for an admission (account and ledger reservation) is kept here, in
 * the shell, not in the core's {@link AdmissionControl}: the core decides on pools and knows
 * nothing of the ledger, and the billing is only bookkeeping for the HTTP edge. The map holds
 * live admissions only, so it is bounded as they are ({@code admissionsMax}): an entry goes when
 * its admission is released, and entries of expired admissions are swept at each reconcile and
 * whenever the map outgrows the live count. An expired admission's reservation is left to the
 * ledger's own expiry: it was taken with the admission's ttl, so it lapses at the same time and
 * returns its bytes without a command from here. Settlements of released admissions are kept,
 * the most recent {@code admissionsMax}, so a retried release gets the first answer.
 */
public final class AdmissionService implements Admissions, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AdmissionService.class.getName());
    /** Bounds on the reconcile period: often enough to matter, not so often it contends with admits. */
    public static final Duration RECONCILE_PERIOD_MIN = Duration.ofMillis(100);
    public static final Duration RECONCILE_PERIOD_MAX = Duration.ofHours(1);

    private final ReentrantLock lock = new ReentrantLock();
    private final Supplier<AdmissionPolicy> policies;
    private final LongSupplier clockMillis;
    private final ScheduledExecutorService maintenance;
    private AdmissionControl control;
    private final Map<String, Billing> billings = new HashMap<>();
    /** Insertion order, oldest first: the eldest goes when the policy's admissionsMax is passed. */
    private final LinkedHashMap<String, Settlement> settlements = new LinkedHashMap<>();

    public AdmissionService(Supplier<AdmissionPolicy> policies, Duration reconcilePeriod, LongSupplier clockMillis) {
        this.policies = Objects.requireNonNull(policies, "policies");
        this.clockMillis = Objects.requireNonNull(clockMillis, "clockMillis");
        if (reconcilePeriod.compareTo(RECONCILE_PERIOD_MIN) < 0 || reconcilePeriod.compareTo(RECONCILE_PERIOD_MAX) > 0) {
            throw new IllegalArgumentException("reconcilePeriod must be " + RECONCILE_PERIOD_MIN + ".." + RECONCILE_PERIOD_MAX
                    + ", was " + reconcilePeriod);
        }
        AdmissionPolicy initial = policies.get();
        this.control = initial == null ? null : new AdmissionControl(initial);
        this.maintenance = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
                .name("credence-admission-reconcile").factory());
        long periodMillis = reconcilePeriod.toMillis();
        maintenance.scheduleWithFixedDelay(this::reconcileLogged, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** Runs the periodic maintenance now; what it did, or empty when admission is not configured. */
    public Optional<AdmissionControl.Reconciled> reconcileNow() {
        AdmissionPolicy next = policies.get();
        lock.lock();
        try {
            if (control == null) {
                if (next == null) {
                    return Optional.empty();
                }
                control = new AdmissionControl(next);
                LOG.log(System.Logger.Level.INFO, "admission control started by a reloaded policy");
            }
            AdmissionControl.Reconciled done = control.reconcile(next == null ? control.policy() : next,
                    clockMillis.getAsLong());
            sweepBillings();
            if (done.poolsCorrected() > 0) {
                LOG.log(System.Logger.Level.WARNING, "admission reconcile corrected {0} drifted pool counters",
                        done.poolsCorrected());
            }
            return Optional.of(done);
        } finally {
            lock.unlock();
        }
    }

    private void reconcileLogged() {
        try {
            reconcileNow();
        } catch (RuntimeException broken) {
            // An uncaught exception would silently cancel the schedule; say so before it does.
            LOG.log(System.Logger.Level.ERROR, "admission reconcile failed; periodic maintenance stops", broken);
            throw broken;
        }
    }

    @Override
    public Optional<AdmissionPolicy> policy() {
        lock.lock();
        try {
            return control == null ? Optional.empty() : Optional.of(control.policy());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public AdmissionResult admit(String admissionId, QosRequest request, long ttlSeconds) {
        lock.lock();
        try {
            return configured().admit(admissionId, request, TimeUnit.SECONDS.toMillis(ttlSeconds), clockMillis.getAsLong());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<Billing> bill(String admissionId, Billing billing) {
        Objects.requireNonNull(billing, "billing");
        lock.lock();
        try {
            AdmissionControl c = configured();
            c.expire(clockMillis.getAsLong());
            if (c.find(admissionId).isEmpty()) {
                return Optional.empty();
            }
            settlements.remove(admissionId); // the id lives again: an older settlement is not its answer
            Billing inForce = billings.putIfAbsent(admissionId, billing);
            if (billings.size() > c.admissionCount()) {
                sweepBillings();
            }
            check(billings.size() <= c.admissionCount(), "billings are kept for live admissions only");
            return Optional.of(inForce == null ? billing : inForce);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<Billing> billing(String admissionId) {
        lock.lock();
        try {
            AdmissionControl c = configured();
            c.expire(clockMillis.getAsLong());
            return c.find(admissionId).isEmpty() ? Optional.empty() : Optional.ofNullable(billings.get(admissionId));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<ChargingParameters> release(String admissionId) {
        lock.lock();
        try {
            billings.remove(admissionId);
            return configured().release(admissionId, clockMillis.getAsLong());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Settlement settle(String admissionId, Settlement settlement) {
        lock.lock();
        try {
            AdmissionControl c = configured();
            c.expire(clockMillis.getAsLong());
            Billing billing = billings.get(admissionId);
            // Another billing means the admission was released and admitted again meanwhile (a race
            // between two DELETEs and a POST): the new one is not this settlement's to release.
            boolean same = billing != null && billing.equals(settlement.billing());
            ChargingParameters released = null;
            if (same) {
                billings.remove(admissionId);
                released = c.release(admissionId, clockMillis.getAsLong()).orElse(null);
            }
            Settlement done = new Settlement(settlement.requestId(), settlement.committedRequestId(), settlement.billing(),
                    settlement.usage(), settlement.committed(), released);
            settlements.remove(admissionId);
            settlements.put(admissionId, done);
            int settlementsMax = c.policy().admissionsMax();
            for (var eldest = settlements.keySet().iterator(); settlements.size() > settlementsMax; ) {
                eldest.next();
                eldest.remove();
            }
            return done;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<Settlement> settlement(String admissionId) {
        lock.lock();
        try {
            return Optional.ofNullable(settlements.get(admissionId));
        } finally {
            lock.unlock();
        }
    }

    /** Drops the billings of admissions that expired; their reservations lapse in the ledger on their own. */
    private void sweepBillings() {
        check(lock.isHeldByCurrentThread(), "the billings are swept under the lock");
        if (control != null) {
            billings.keySet().removeIf(id -> control.find(id).isEmpty());
        }
    }

    @Override
    public AdmissionControl.Report pools() {
        lock.lock();
        try {
            AdmissionControl c = configured();
            c.expire(clockMillis.getAsLong());
            return c.report();
        } finally {
            lock.unlock();
        }
    }

    private AdmissionControl configured() {
        if (control == null) {
            throw new IllegalStateException("admission is not configured; the API checks policy() first");
        }
        return control;
    }

    /** Always on, unlike {@code assert}: a broken invariant here would bill the wrong admission. */
    private static void check(boolean condition, String invariant) {
        if (!condition) {
            throw new IllegalStateException("invariant broken: " + invariant);
        }
    }

    @Override
    public void close() {
        maintenance.shutdownNow();
    }
}
