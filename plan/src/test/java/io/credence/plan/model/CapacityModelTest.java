package io.credence.plan.model;

import io.credence.admission.AdmissionPolicy;
import io.credence.admission.AdmissionPolicy.Threshold;
import io.credence.admission.Layer;
import io.credence.admission.Pool;
import io.credence.admission.QosParameter;
import io.credence.plan.load.Load;
import io.credence.plan.load.LoadException;
import io.credence.plan.load.ServiceClass;
import io.credence.plan.net.StateSpaceTooLarge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The model built from a catalog and a load, checked against closed forms (Erlang-B, Little's
 * law), against a Markov chain written out by hand for a threshold, and against its simulation.
 */
class CapacityModelTest {
    private static final double EXACT = 1e-9;

    /** Erlang-B by its recursion, written here again so the check does not lean on the code under test. */
    private static double erlangB(int servers, double erlang) {
        double b = 1;
        for (int k = 1; k <= servers; k++) {
            b = erlang * b / (k + erlang * b);
        }
        return b;
    }

    private static Forecast exact(AdmissionPolicy policy, ServiceClass... classes) throws Exception {
        return Planner.exact(CapacityModel.build(policy, new Load(10, List.of(classes))), 200_000);
    }

    @ParameterizedTest(name = "{0} servers of 250 kbps at {1}/s x {2} s")
    @CsvSource({"1, 0.5, 1", "10, 8, 1", "10, 20, 0.5", "50, 45, 1", "120, 100, 1.1"})
    void oneLayerOnePoolPoissonArrivalsIsErlangBAndLittlesLaw(int servers, double lambda, double holding) throws Exception {
        ServiceClass c = Catalogs.bandwidthClass("calls", 250, lambda, holding, 0);
        // capacity with 100 kbps left over that can hold nobody: still exactly `servers` servers
        Forecast f = exact(Catalogs.serviceLayer(250L * servers + 100, 1000, null), c);
        Forecast.ClassForecast calls = f.forClass("calls");
        double blocking = erlangB(servers, lambda * holding);
        double accepted = lambda * (1 - blocking);

        assertThat(calls.blocking().value()).isCloseTo(blocking, within(EXACT));
        assertThat(calls.acceptance().value()).isCloseTo(1 - blocking, within(EXACT));
        // Little's law: L = lambda_accepted x W, with W the mean holding time
        assertThat(calls.inService().value()).isCloseTo(accepted * holding, within(EXACT * Math.max(1, accepted * holding)));
        assertThat(calls.meanTimeInService()).isCloseTo(holding, within(EXACT));
        assertThat(calls.settlementsPerHour().value() / 3600).isCloseTo(accepted, within(EXACT * Math.max(1, accepted)));
        assertThat(calls.revenuePerHour().value()).isCloseTo(3600 * (accepted * 10 + accepted * holding * 6 / 60.0),
                within(1e-6 * Math.max(1, calls.revenuePerHour().value())));
        Forecast.PoolForecast pool = f.forPool(Layer.SERVICE, Pool.BANDWIDTH);
        assertThat(pool.meanUsed().value()).isCloseTo(accepted * holding * 250, within(EXACT * 250 * Math.max(1, accepted * holding)));
        assertThat(pool.utilisation().value()).isCloseTo(accepted * holding * 250 / (250.0 * servers + 100), within(EXACT));
        assertThat(f.layers().getFirst().tangibleStates()).isEqualTo(servers + 1);
    }

    @Test
    void aThresholdKeepsTheLastPartOfThePoolForSmallRequestsAsAHandWrittenChainSays() throws Exception {
        // 1000 kbps; small 100 kbps, big 300 kbps; once the pool is 60 % full only up to 100 kbps
        AdmissionPolicy policy = Catalogs.serviceLayer(1000, 500, new Threshold(100, 60));
        ServiceClass small = Catalogs.bandwidthClass("small", 100, 20, 0.2, 0);
        ServiceClass big = Catalogs.bandwidthClass("big", 300, 10, 0.3, 0);
        Forecast f = exact(policy, small, big);

        double[] expected = handWrittenThresholdChain(1000, 100, 300, 600, 20, 1 / 0.2, 10, 1 / 0.3);
        assertThat(f.forClass("small").acceptance().value()).isCloseTo(expected[0], within(EXACT));
        assertThat(f.forClass("big").acceptance().value()).isCloseTo(expected[1], within(EXACT));
        assertThat(f.forClass("big").acceptance().value()).as("the threshold bites")
                .isLessThan(exact(Catalogs.serviceLayer(1000, 500, null), small, big).forClass("big").acceptance().value());
    }

    /**
     * States (small, big) with everything fitting; a big one is admitted only while used < fill
     * units. Solved by the tests' plain linear solver on the balance equations; returns both acceptances.
     */
    private static double[] handWrittenThresholdChain(int capacity, int smallSize, int bigSize, int fillUnits,
                                                      double ls, double ms, double lb, double mb) {
        List<int[]> states = new ArrayList<>();
        for (int s = 0; s * smallSize <= capacity; s++) {
            for (int b = 0; s * smallSize + b * bigSize <= capacity; b++) {
                states.add(new int[] {s, b});
            }
        }
        int n = states.size();
        double[][] q = new double[n][n];
        for (int i = 0; i < n; i++) {
            int s = states.get(i)[0];
            int b = states.get(i)[1];
            int used = s * smallSize + b * bigSize;
            for (int j = 0; j < n; j++) {
                if (j == i) {
                    continue;
                }
                int s2 = states.get(j)[0];
                int b2 = states.get(j)[1];
                double rate = 0;
                if (s2 == s + 1 && b2 == b && used + smallSize <= capacity) {
                    rate = ls;
                } else if (s2 == s && b2 == b + 1 && used + bigSize <= capacity && used < fillUnits) {
                    rate = lb;
                } else if (s2 == s - 1 && b2 == b) {
                    rate = s * ms;
                } else if (s2 == s && b2 == b - 1) {
                    rate = b * mb;
                }
                q[i][j] = rate;
                q[i][i] -= rate;
            }
        }
        double[] pi = io.credence.plan.TestNets.referenceSteadyState(q);
        double small = 0;
        double big = 0;
        for (int i = 0; i < n; i++) {
            int used = states.get(i)[0] * smallSize + states.get(i)[1] * bigSize;
            small += used + smallSize <= capacity ? pi[i] : 0;
            big += used + bigSize <= capacity && used < fillUnits ? pi[i] : 0;
        }
        return new double[] {small, big};
    }

    @Test
    void simulationAndExactSolutionAgreeWithinTheNinetyNinePercentIntervalOnThreeModels() throws Exception {
        List<List<ServiceClass>> models = List.of(
                List.of(Catalogs.bandwidthClass("erlang", 250, 8, 1, 0)),
                List.of(Catalogs.bandwidthClass("small", 100, 20, 0.2, 0), Catalogs.bandwidthClass("big", 300, 10, 0.3, 0)),
                List.of(Catalogs.bandwidthClass("kept", 100, 15, 0.3, 0), Catalogs.bandwidthClass("dropped", 200, 5, 0.4, 0.3)));
        List<AdmissionPolicy> policies = List.of(Catalogs.serviceLayer(2500, 1000, null),
                Catalogs.serviceLayer(1000, 500, new Threshold(100, 60)), Catalogs.serviceLayer(1200, 500, null));
        long seed = 7;
        for (int m = 0; m < models.size(); m++) {
            List<LayerModel> layers = CapacityModel.build(policies.get(m), new Load(0.5, models.get(m)));
            Forecast exact = Planner.exact(layers, 200_000);
            Forecast simulated = Planner.simulate(layers, new Planner.SimulationPlan(seed + m, 30, 400, 100));
            for (ServiceClass c : models.get(m)) {
                Forecast.Value estimate = simulated.forClass(c.name()).acceptance();
                assertThat(estimate.halfWidth()).as("model %d %s has an interval", m, c.name()).isPositive().isLessThan(0.05);
                assertThat(estimate.covers(exact.forClass(c.name()).acceptance().value()))
                        .as("model %d class %s: simulated %s, exact %s", m, c.name(), estimate,
                                exact.forClass(c.name()).acceptance().value()).isTrue();
            }
            Forecast.Value used = simulated.forPool(Layer.SERVICE, Pool.BANDWIDTH).utilisation();
            assertThat(used.covers(exact.forPool(Layer.SERVICE, Pool.BANDWIDTH).utilisation().value()))
                    .as("model %d utilisation: simulated %s, exact %s", m, used,
                            exact.forPool(Layer.SERVICE, Pool.BANDWIDTH).utilisation().value()).isTrue();
        }
    }

    @Test
    void abandonedSessionsHoldTheirPoolUntilMaintenanceSoAcceptanceFallsAsMaintenanceSlowsDown() throws Exception {
        AdmissionPolicy policy = Catalogs.serviceLayer(1000, 500, null);
        ServiceClass c = Catalogs.bandwidthClass("c", 100, 8, 1, 0.5);
        double often = Planner.exact(CapacityModel.build(policy, new Load(0.1, List.of(c))), 200_000)
                .forClass("c").acceptance().value();
        double seldom = Planner.exact(CapacityModel.build(policy, new Load(5, List.of(c))), 200_000)
                .forClass("c").acceptance().value();
        double never = exact(policy, Catalogs.bandwidthClass("c", 100, 8, 1, 0)).forClass("c").acceptance().value();
        assertThat(often).isLessThan(never).isGreaterThan(seldom);
        assertThat(never).isCloseTo(1 - erlangB(10, 8), within(EXACT));
    }

    @Test
    void aLoadThatDoesNotFitTheCatalogIsRefusedNamingTheClass() {
        AdmissionPolicy policy = Catalogs.serviceLayer(1000, 500, null);
        ServiceClass wrong = new ServiceClass("w", Layer.SERVICE, 1, 1,
                Map.of(QosParameter.BANDWIDTH_KBPS, 100L, QosParameter.LATENCY_CLASS, 2L), 0, 0, 0);
        assertThatThrownBy(() -> CapacityModel.build(policy, new Load(10, List.of(wrong))))
                .isInstanceOf(LoadException.class)
                .hasMessageStartingWith("classes[0].qos: must state exactly the parameters the service layer checks");
        ServiceClass bearer = new ServiceClass("b", Layer.BEARER, 1, 1, Map.of(QosParameter.BANDWIDTH_KBPS, 100L), 0, 0, 0);
        assertThatThrownBy(() -> CapacityModel.build(policy, new Load(10, List.of(bearer))))
                .hasMessageStartingWith("classes[0].layer: the catalog's bearer layer admits nothing");
    }

    @Test
    void aModelAboveTheStateLimitIsRefusedNamingTheLimit() throws Exception {
        List<LayerModel> layers = CapacityModel.build(Catalogs.serviceLayer(100_000, 500, null), new Load(10, List.of(
                Catalogs.bandwidthClass("a", 100, 1, 1, 0), Catalogs.bandwidthClass("b", 300, 1, 1, 0))));
        assertThatThrownBy(() -> Planner.exact(layers, 5_000)).isInstanceOf(StateSpaceTooLarge.class)
                .hasMessageContaining("5000");
    }

    @Test
    void outOfRangeRequestsAreNeverAccepted() throws Exception {
        Forecast f = exact(Catalogs.serviceLayer(1000, 500, null), Catalogs.bandwidthClass("huge", 600, 1, 1, 0),
                Catalogs.bandwidthClass("fine", 100, 1, 1, 0));
        assertThat(f.forClass("huge").acceptance().value()).isZero();
        assertThat(f.forClass("fine").acceptance().value()).isCloseTo(1 - erlangB(10, 1), within(EXACT));
    }
}
