package io.credence.admission;

import io.credence.admission.AdmissionPolicy.LayerPolicy;
import io.credence.admission.AdmissionPolicy.Range;
import io.credence.admission.AdmissionPolicy.Threshold;
import io.credence.admission.AdmissionResult.Admitted;
import io.credence.admission.AdmissionResult.Busy;
import io.credence.admission.AdmissionResult.DuplicateId;
import io.credence.admission.AdmissionResult.NoCapacity;
import io.credence.admission.AdmissionResult.Rejected;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * Layered admission control: a pure state machine over the live admissions and the pools they
 * hold. Single-threaded (the caller serialises), no clock: every command carries {@code nowMillis}.
 *
 * <p>A request goes to the layer it names. In order, the first failing step answers:
 * <ol>
 *   <li>the id: a live admission with the same id and the same request gets its first answer
 *       back (a retry changes nothing); with another request, {@link DuplicateId};</li>
 *   <li>ranges: every parameter in {@link QosParameter} declaration order must be one the layer
 *       admits, the layer's parameters must all be stated, and each value must be inside its
 *       range; the first offending parameter is named ({@link Rejected});</li>
 *   <li>the table: at {@code admissionsMax} live admissions, {@link Busy};</li>
 *   <li>thresholds: a parameter above its threshold while its pool is at least the threshold's
 *       fill level is {@link Rejected}, naming the value to retry with;</li>
 *   <li>capacity: each pool in {@link Pool} order must have the draw free ({@link NoCapacity}).</li>
 * </ol>
 * Rejections are not remembered, so a client may retry the same id with other values.
 * Ids are remembered only while the admission lives: after release or expiry the id is free.
 *
 * <p>Invariants, checked after every change: no pool's used amount is negative; an admission
 * never takes a pool over its capacity; used equals the sum of the live admissions' draws (the
 * full recount in {@link #verifyInvariants}, run by {@link #reconcile}). A capacity lowered by a
 * reload below what is in use leaves used above capacity, free at zero, until releases bring it
 * down: live admissions are not revoked.
 */
public final class AdmissionControl {
    /** Longest admission id; ids come from clients and are held in memory. */
    public static final int ADMISSION_ID_LENGTH_MAX = 128;

    private record Live(String id, QosRequest request, Admitted answer, long expiresAtMillis) {}

    private record Deadline(long atMillis, String id) {}

    private static final Comparator<Deadline> BY_TIME = Comparator.comparingLong(Deadline::atMillis)
            .thenComparing(Deadline::id);

    /** What {@link #reconcile} did. */
    public record Reconciled(int expired, int poolsCorrected) {}

    /** Every layer's pools, and how full the admissions table is. */
    public record Report(Map<Layer, Map<Pool, PoolLevel>> layers, int admissions, int admissionsMax) {}

    private AdmissionPolicy policy;
    private final Map<String, Live> live = new HashMap<>();
    private final TreeSet<Deadline> deadlines = new TreeSet<>(BY_TIME);
    private final long[][] used = new long[Layer.values().length][Pool.values().length];

    public AdmissionControl(AdmissionPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    public AdmissionPolicy policy() {
        return policy;
    }

    /**
     * @param ttlMillis 1..{@code ttlSecondsMax} seconds; the caller checks it, as the id's length
     * @throws IllegalArgumentException for an id or ttl out of bounds (a caller's error; nothing changes)
     */
    public AdmissionResult admit(String admissionId, QosRequest request, long ttlMillis, long nowMillis) {
        checkId(admissionId);
        Objects.requireNonNull(request, "request");
        checkTtl(ttlMillis);
        expire(nowMillis);
        Live existing = live.get(admissionId);
        if (existing != null) {
            return existing.request.equals(request) ? existing.answer
                    : new DuplicateId(admissionId, "admission '" + admissionId + "' is held for other parameters: "
                    + describe(existing.request));
        }
        LayerPolicy layer = policy.layer(request.layer());
        Rejected outOfRange = outOfRange(request, layer);
        if (outOfRange != null) {
            return outOfRange;
        }
        if (live.size() >= policy.admissionsMax()) {
            return new Busy(policy.admissionsMax());
        }
        Rejected aboveThreshold = aboveThreshold(request, layer);
        if (aboveThreshold != null) {
            return aboveThreshold;
        }
        ChargingParameters charging = ChargingParameters.of(request, ttlMillis);
        for (Pool pool : Pool.values()) {
            long draw = charging.draw(pool);
            long free = level(request.layer(), pool).free();
            if (draw > free) {
                return new NoCapacity(request.layer(), pool, draw, free);
            }
        }
        return take(admissionId, request, charging, nowMillis + ttlMillis);
    }

    private Admitted take(String admissionId, QosRequest request, ChargingParameters charging, long expiresAtMillis) {
        int l = request.layer().ordinal();
        for (Pool pool : Pool.values()) {
            used[l][pool.ordinal()] += charging.draw(pool);
            check(charging.draw(pool) == 0 || used[l][pool.ordinal()] <= capacity(request.layer(), pool), "an admission never takes a pool over its capacity");
        }
        Admitted answer = new Admitted(admissionId, charging, expiresAtMillis, levels(request.layer()));
        live.put(admissionId, new Live(admissionId, request, answer, expiresAtMillis));
        deadlines.add(new Deadline(expiresAtMillis, admissionId));
        checkCounts();
        return answer;
    }

    /** Returns the admission's pools. Empty when no such admission lives (never was, released, expired). */
    public Optional<ChargingParameters> release(String admissionId, long nowMillis) {
        checkId(admissionId);
        expire(nowMillis);
        Live gone = live.get(admissionId);
        if (gone == null) {
            return Optional.empty();
        }
        drop(gone);
        return Optional.of(gone.answer.charging());
    }

    /** Extends a live admission to {@code nowMillis + ttlMillis}; empty when none lives under the id. */
    public OptionalLong renew(String admissionId, long ttlMillis, long nowMillis) {
        checkId(admissionId);
        checkTtl(ttlMillis);
        expire(nowMillis);
        Live current = live.get(admissionId);
        if (current == null) {
            return OptionalLong.empty();
        }
        long expiresAtMillis = nowMillis + ttlMillis;
        check(deadlines.remove(new Deadline(current.expiresAtMillis, admissionId)), "every live admission has a deadline");
        live.put(admissionId, new Live(admissionId, current.request, current.answer, expiresAtMillis));
        deadlines.add(new Deadline(expiresAtMillis, admissionId));
        checkCounts();
        return OptionalLong.of(expiresAtMillis);
    }

    /**
     * The periodic maintenance: drops expired admissions, recomputes every pool's used amount from
     * the live admissions (a counter that drifted is corrected and counted), and puts
     * {@code newPolicy} in force. Lowered capacities and a lowered {@code admissionsMax} revoke
     * nothing; they only stop new admissions until usage falls below them.
     */
    public Reconciled reconcile(AdmissionPolicy newPolicy, long nowMillis) {
        Objects.requireNonNull(newPolicy, "newPolicy");
        int expired = expire(nowMillis);
        long[][] recount = recount();
        int corrected = 0;
        for (int l = 0; l < used.length; l++) {
            for (int p = 0; p < used[l].length; p++) {
                if (used[l][p] != recount[l][p]) {
                    used[l][p] = recount[l][p];
                    corrected++;
                }
            }
        }
        policy = newPolicy;
        verifyInvariants();
        return new Reconciled(expired, corrected);
    }

    /** Drops every admission whose expiry is at or before {@code nowMillis}; returns how many. */
    public int expire(long nowMillis) {
        int count = 0;
        while (!deadlines.isEmpty() && deadlines.first().atMillis() <= nowMillis) {
            Live gone = live.get(deadlines.first().id());
            check(gone != null, "every deadline belongs to a live admission");
            drop(gone);
            count++;
        }
        return count;
    }

    private void drop(Live gone) {
        int l = gone.request.layer().ordinal();
        for (Pool pool : Pool.values()) {
            long draw = gone.answer.charging().draw(pool);
            used[l][pool.ordinal()] -= draw;
            check(used[l][pool.ordinal()] >= 0, "a pool's used amount is never negative");
        }
        check(live.remove(gone.id) == gone, "the admission dropped was live");
        check(deadlines.remove(new Deadline(gone.expiresAtMillis, gone.id)), "every live admission has a deadline");
        checkCounts();
    }

    /** A live admission as a snapshot keeps it: enough to put it back exactly. */
    public record LiveAdmission(String id, QosRequest request, Admitted answer, long expiresAtMillis) {}

    /** The live admissions, by id (for a snapshot). */
    public List<LiveAdmission> liveAdmissions() {
        List<LiveAdmission> out = new ArrayList<>();
        for (Live l : live.values()) {
            out.add(new LiveAdmission(l.id, l.request, l.answer, l.expiresAtMillis));
        }
        out.sort(java.util.Comparator.comparing(LiveAdmission::id));
        return out;
    }

    /** Puts back an admission a snapshot kept (its draws count again). */
    public void restore(LiveAdmission admission) {
        check(!live.containsKey(admission.id()), "a restored admission is not live already");
        int l = admission.request().layer().ordinal();
        for (Pool pool : Pool.values()) {
            used[l][pool.ordinal()] += admission.answer().charging().draw(pool);
        }
        live.put(admission.id(), new Live(admission.id(), admission.request(), admission.answer(),
                admission.expiresAtMillis()));
        deadlines.add(new Deadline(admission.expiresAtMillis(), admission.id()));
        checkCounts();
    }

    public Optional<ChargingParameters> find(String admissionId) {
        Live found = live.get(admissionId);
        return found == null ? Optional.empty() : Optional.of(found.answer.charging());
    }

    public int admissionCount() {
        return live.size();
    }

    public PoolLevel level(Layer layer, Pool pool) {
        return new PoolLevel(pool, capacity(layer, pool), used[layer.ordinal()][pool.ordinal()]);
    }

    /** Levels of the pools a layer has configured or still has in use. */
    public Map<Pool, PoolLevel> levels(Layer layer) {
        Map<Pool, PoolLevel> levels = new EnumMap<>(Pool.class);
        for (Pool pool : Pool.values()) {
            if (policy.layer(layer).capacities().containsKey(pool) || used[layer.ordinal()][pool.ordinal()] > 0) {
                levels.put(pool, level(layer, pool));
            }
        }
        return Collections.unmodifiableMap(levels);
    }

    public Report report() {
        Map<Layer, Map<Pool, PoolLevel>> layers = new EnumMap<>(Layer.class);
        for (Layer layer : Layer.values()) {
            layers.put(layer, levels(layer));
        }
        return new Report(Collections.unmodifiableMap(layers), live.size(), policy.admissionsMax());
    }

    /** Recomputes every invariant from scratch: used equals the live draws, never negative. */
    public void verifyInvariants() {
        long[][] recount = recount();
        for (Layer layer : Layer.values()) {
            for (Pool pool : Pool.values()) {
                long u = used[layer.ordinal()][pool.ordinal()];
                check(u >= 0, "a pool's used amount is never negative");
                if (u != recount[layer.ordinal()][pool.ordinal()]) {
                    check(false, layer.jsonName() + " " + pool.jsonName() + " used " + u + " equals the live draws "
                            + recount[layer.ordinal()][pool.ordinal()]);
                }
            }
        }
        checkCounts();
    }

    private long[][] recount() {
        long[][] sums = new long[Layer.values().length][Pool.values().length];
        for (Live admission : live.values()) {
            for (Pool pool : Pool.values()) {
                sums[admission.request.layer().ordinal()][pool.ordinal()] += admission.answer.charging().draw(pool);
            }
        }
        return sums;
    }

    private long capacity(Layer layer, Pool pool) {
        return policy.layer(layer).capacity(pool);
    }

    private static Rejected outOfRange(QosRequest request, LayerPolicy layer) {
        String name = request.layer().jsonName();
        for (QosParameter parameter : QosParameter.values()) {
            Range range = layer.ranges().get(parameter);
            Long value = request.parameters().get(parameter);
            if (range == null && value != null) {
                return new Rejected(request.layer(), parameter, parameter.jsonName() + " is not admitted at the "
                        + name + " layer");
            }
            if (range != null && value == null) {
                return new Rejected(request.layer(), parameter, parameter.jsonName() + " is required at the "
                        + name + " layer");
            }
            if (range != null && !range.contains(value)) {
                return new Rejected(request.layer(), parameter, parameter.jsonName() + " must be " + range.min() + ".."
                        + range.max() + " at the " + name + " layer, was " + value);
            }
        }
        return null;
    }

    private Rejected aboveThreshold(QosRequest request, LayerPolicy layer) {
        for (QosParameter parameter : QosParameter.values()) {
            Range range = layer.ranges().get(parameter);
            Threshold threshold = range == null ? null : range.threshold();
            if (threshold == null || request.value(parameter) <= threshold.value()) {
                continue;
            }
            PoolLevel level = level(request.layer(), parameter.pool().orElseThrow());
            // used <= 2^56 and capacity <= 2^56 (Pool.CAPACITY_MAX), so neither product overflows.
            if (level.used() * 100 >= level.capacity() * threshold.fillPercent()) {
                return new Rejected(request.layer(), parameter, "the " + request.layer().jsonName() + " "
                        + level.pool().jsonName() + " pool is at least " + threshold.fillPercent()
                        + "% full, so " + parameter.jsonName() + " above " + threshold.value()
                        + " is not admitted now; retry with at most " + threshold.value());
            }
        }
        return null;
    }

    private static String describe(QosRequest request) {
        StringBuilder text = new StringBuilder(request.layer().jsonName()).append(" {");
        request.parameters().forEach((parameter, value) -> text.append(text.charAt(text.length() - 1) == '{' ? "" : ", ")
                .append(parameter.jsonName()).append('=').append(value));
        return text.append('}').toString();
    }

    private static void checkId(String admissionId) {
        if (admissionId == null || admissionId.isEmpty() || admissionId.length() > ADMISSION_ID_LENGTH_MAX) {
            throw new IllegalArgumentException("admissionId must be 1.." + ADMISSION_ID_LENGTH_MAX + " characters");
        }
    }

    private void checkTtl(long ttlMillis) {
        if (ttlMillis < 1 || ttlMillis > policy.ttlSecondsMax() * 1000) {
            throw new IllegalArgumentException("ttl must be 1.." + policy.ttlSecondsMax() * 1000 + " ms, was " + ttlMillis);
        }
    }

    private void checkCounts() {
        check(live.size() == deadlines.size(), "every live admission has exactly one deadline");
    }

    static void check(boolean condition, String invariant) {
        if (!condition) {
            throw new IllegalStateException("admission invariant broken: " + invariant);
        }
    }

    /** For tests of {@link #reconcile}: makes a counter drift, as a bug would. */
    void driftForTest(Layer layer, Pool pool, long delta) {
        used[layer.ordinal()][pool.ordinal()] += delta;
    }
}
