package io.credence.admission;

import io.credence.admission.AdmissionResult.Admitted;
import io.credence.admission.AdmissionResult.Busy;
import io.credence.admission.AdmissionResult.DuplicateId;
import io.credence.admission.AdmissionResult.NoCapacity;
import io.credence.admission.AdmissionResult.Rejected;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded random sequences of admit, release, renew, expire and reconcile (with capacities raised
 * and lowered), edge-biased amounts, checked against a plain reference model: pools never go
 * negative, an admission never takes a pool over capacity, used always equals the live draws.
 */
class AdmissionFuzzTest {
    private static final int STEPS = 20_000;

    /** The reference: live admissions and nothing clever. */
    private record Held(Layer layer, QosRequest request, Map<Pool, Long> draws, long expiresAtMillis) {}

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 20261124})
    void poolsStayWithinBoundsUnderRandomSequences(long seed) {
        Random random = new Random(seed);
        AdmissionPolicy policy = randomPolicy(random);
        AdmissionControl control = new AdmissionControl(policy);
        Map<String, Held> model = new HashMap<>();
        long now = 0;
        int admitted = 0;
        int noCapacity = 0;
        for (int step = 0; step < STEPS; step++) {
            now += random.nextInt(4) == 0 ? random.nextInt(2_000) : 0;
            expire(model, now);
            control.expire(now);
            String id = "a" + random.nextInt(60);
            switch (random.nextInt(10)) {
                case 0, 1, 2, 3, 4, 5 -> {
                    QosRequest request = randomRequest(random);
                    long ttl = 1 + random.nextInt(10_000);
                    Map<Pool, PoolLevel> before = snapshot(control, request.layer());
                    AdmissionResult result = control.admit(id, request, ttl, now);
                    Held held = model.get(id);
                    switch (result) {
                        case Admitted a -> {
                            if (held == null) {
                                admitted++;
                                for (Pool pool : Pool.values()) {
                                    long draw = a.charging().draw(pool);
                                    assertThat(draw).isLessThanOrEqualTo(before.get(pool).free());
                                    assertThat(control.level(request.layer(), pool).used())
                                            .isEqualTo(before.get(pool).used() + draw);
                                }
                                model.put(id, new Held(request.layer(), request, a.charging().draws(), a.expiresAtMillis()));
                            } else {
                                assertThat(held.request).isEqualTo(request);
                            }
                        }
                        case NoCapacity n -> {
                            noCapacity++;
                            assertThat(held).isNull();
                            assertThat(n.requested()).isGreaterThan(n.free());
                            assertThat(n.free()).isEqualTo(before.get(n.pool()).free());
                        }
                        case Rejected r -> assertThat(held).isNull();
                        case Busy b -> assertThat(model).hasSizeGreaterThanOrEqualTo(b.admissionsMax());
                        case DuplicateId d -> assertThat(held).isNotNull().extracting(Held::request).isNotEqualTo(request);
                    }
                }
                case 6, 7 -> {
                    boolean was = model.remove(id) != null;
                    assertThat(control.release(id, now).isPresent()).isEqualTo(was);
                }
                case 8 -> {
                    long ttl = 1 + random.nextInt(10_000);
                    Held held = model.get(id);
                    assertThat(control.renew(id, ttl, now).isPresent()).isEqualTo(held != null);
                    if (held != null) {
                        model.put(id, new Held(held.layer, held.request, held.draws, now + ttl));
                    }
                }
                default -> {
                    policy = random.nextBoolean() ? randomPolicy(random) : policy;
                    assertThat(control.reconcile(policy, now).poolsCorrected()).isZero();
                }
            }
            check(control, model);
        }
        // the sequences must exercise both sides of the capacity check
        assertThat(admitted).isGreaterThan(100);
        assertThat(noCapacity).isGreaterThan(10);
    }

    private static void expire(Map<String, Held> model, long now) {
        model.values().removeIf(h -> h.expiresAtMillis <= now);
    }

    private static void check(AdmissionControl control, Map<String, Held> model) {
        control.verifyInvariants();
        assertThat(control.admissionCount()).isEqualTo(model.size());
        for (Layer layer : Layer.values()) {
            for (Pool pool : Pool.values()) {
                long expected = model.values().stream().filter(h -> h.layer == layer)
                        .mapToLong(h -> h.draws.getOrDefault(pool, 0L)).sum();
                PoolLevel level = control.level(layer, pool);
                assertThat(level.used()).isEqualTo(expected).isNotNegative();
                assertThat(level.free()).isNotNegative().isLessThanOrEqualTo(level.capacity());
            }
        }
    }

    private static Map<Pool, PoolLevel> snapshot(AdmissionControl control, Layer layer) {
        Map<Pool, PoolLevel> levels = new EnumMap<>(Pool.class);
        for (Pool pool : Pool.values()) {
            levels.put(pool, control.level(layer, pool));
        }
        return levels;
    }

    /** Small capacities, often 0 or 1, so pools fill and lowered ones sit below use. */
    private static AdmissionPolicy randomPolicy(Random random) {
        return Policies.policy(edge(random, 500_000), edge(random, 30_000_000), edge(random, 3_000), 1 + random.nextInt(40));
    }

    private static long edge(Random random, long max) {
        return switch (random.nextInt(6)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> max;
            case 3 -> max - 1;
            default -> random.nextLong(max + 1);
        };
    }

    /** Values around the test policy's ranges, sometimes just outside them. */
    private static QosRequest randomRequest(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> Policies.bearer(edgeAround(random, 64, 100_000), edgeAround(random, 2, 9));
            case 1 -> Policies.service(edgeAround(random, 32, 50_000), edgeAround(random, 1, 10_000_000));
            default -> Policies.application(edgeAround(random, 1, 1_000), edgeAround(random, 1, 5), edgeAround(random, 1, 5));
        };
    }

    private static long edgeAround(Random random, long min, long max) {
        return switch (random.nextInt(8)) {
            case 0 -> min;
            case 1 -> max;
            case 2 -> min - 1;
            case 3 -> max + 1;
            default -> min + random.nextLong(max - min + 1);
        };
    }
}
