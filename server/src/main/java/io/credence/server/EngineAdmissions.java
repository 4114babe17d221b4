package io.credence.server;

import io.credence.admission.AdmissionControl;
import io.credence.admission.AdmissionPolicy;
import io.credence.admission.QosRequest;
import io.credence.charging.AdmissionAnswers;
import io.credence.charging.AdmissionUsage;
import io.credence.charging.EngineCommand;
import io.credence.charging.EngineOutcome;
import io.credence.http.Admissions;
import io.credence.journal.EngineGate;
import io.credence.journal.Submission;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * HTTP admissions as commands of the charging engine: the pools, the admissions, their billings
 * and settlements are the engine's state (the same pools a Diameter call's QoS draws on),
 * journaled and recovered. A policy given directly (rather than by the catalog's admission
 * section) is put in force as a command at start, and again when it changes (checked every
 * {@code period}, or at once by {@link #reconcileNow}).
 */
public final class EngineAdmissions implements Admissions, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EngineAdmissions.class.getName());
    /** Bounds on the period the given policy is looked at again. */
    public static final Duration RECONCILE_PERIOD_MIN = Duration.ofMillis(100);
    public static final Duration RECONCILE_PERIOD_MAX = Duration.ofHours(1);
    private static final long ANSWER_SECONDS = 30;

    private final EngineGate engine;
    private final Supplier<AdmissionPolicy> given;
    private final ScheduledExecutorService maintenance;
    private AdmissionPolicy lastGiven;

    /**
     * @param given a policy given directly, asked again every {@code period} (null from it: none given;
     *              the catalog's admission section, installed with the catalog, is the other way)
     */
    public EngineAdmissions(EngineGate engine, Supplier<AdmissionPolicy> given, Duration period) {
        this.engine = engine;
        this.given = Objects.requireNonNull(given, "given");
        if (period.compareTo(RECONCILE_PERIOD_MIN) < 0 || period.compareTo(RECONCILE_PERIOD_MAX) > 0) {
            throw new IllegalArgumentException("the admission policy period must be " + RECONCILE_PERIOD_MIN + ".."
                    + RECONCILE_PERIOD_MAX + ", was " + period);
        }
        putGivenInForce(false);
        this.maintenance = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
                .name("credence-admission-policy").factory());
        maintenance.scheduleWithFixedDelay(() -> {
            try {
                putGivenInForce(false);
            } catch (RuntimeException failed) {
                LOG.log(System.Logger.Level.WARNING, "admission policy not put in force: " + failed.getMessage());
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Puts the given policy in force now (also when unchanged); empty when none is given. */
    public synchronized Optional<AdmissionControl.Reconciled> reconcileNow() {
        return putGivenInForce(true);
    }

    private synchronized Optional<AdmissionControl.Reconciled> putGivenInForce(boolean always) {
        AdmissionPolicy policy = given.get();
        if (policy == null || (!always && policy.equals(lastGiven))) {
            return Optional.empty();
        }
        EngineOutcome.AdmissionPolicySet set = (EngineOutcome.AdmissionPolicySet) await(engine.submit(
                new EngineCommand.SetAdmissionPolicy(policy)));
        lastGiven = policy;
        if (set.reconciled().poolsCorrected() > 0) {
            LOG.log(System.Logger.Level.WARNING, "admission policy corrected {0} drifted pool counters",
                    set.reconciled().poolsCorrected());
        }
        return Optional.of(set.reconciled());
    }

    @Override
    public Optional<AdmissionPolicy> policy() {
        return await(engine.queryEngine(view -> view.admissionPolicy()));
    }

    @Override
    public AdmissionAnswers.Admit admit(String admissionId, QosRequest request, long ttlSeconds, String accountId,
                                        String counterpartyId) {
        EngineOutcome.Admitting answer = (EngineOutcome.Admitting) await(engine.submit(new EngineCommand.Admit(
                admissionId, request, TimeUnit.SECONDS.toMillis(ttlSeconds), accountId, counterpartyId)));
        return answer.answer();
    }

    @Override
    public AdmissionAnswers.End end(String admissionId, AdmissionUsage usage, String requestId) {
        return ((EngineOutcome.AdmissionEnded) await(engine.submit(new EngineCommand.EndAdmission(admissionId, usage,
                requestId)))).answer();
    }

    @Override
    public Optional<AdmissionControl.Report> pools() {
        return await(engine.queryEngine(view -> view.admissionReport()));
    }

    /** The engine's answer; busy or stopped is the HTTP API's 503. */
    private static <T> T await(Submission<T> submission) {
        return switch (submission) {
            case Submission.Accepted<T> accepted -> {
                try {
                    yield accepted.answer().get(ANSWER_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new Busy("interrupted while waiting for the engine");
                } catch (ExecutionException | TimeoutException failed) {
                    throw new Busy("the engine did not answer: " + failed.getMessage());
                }
            }
            case Submission.Busy<T> busy -> throw new Busy("the engine's queue is full (" + busy.queueMax() + ")");
            case Submission.Stopped<T> stopped -> throw new Busy(stopped.reason());
            case Submission.TooLarge<T> tooLarge -> throw new IllegalStateException("an admission command of "
                    + tooLarge.bytes() + " bytes");
        };
    }

    @Override
    public void close() {
        maintenance.shutdownNow();
    }
}
