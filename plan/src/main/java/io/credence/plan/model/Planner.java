package io.credence.plan.model;

import io.credence.admission.Pool;
import io.credence.plan.chain.Measures;
import io.credence.plan.chain.SteadyState;
import io.credence.plan.load.ServiceClass;
import io.credence.plan.model.Forecast.ClassForecast;
import io.credence.plan.model.Forecast.LayerForecast;
import io.credence.plan.model.Forecast.PoolForecast;
import io.credence.plan.model.Forecast.Value;
import io.credence.plan.net.Reachability;
import io.credence.plan.net.StateSpaceTooLarge;
import io.credence.plan.net.TangibleChain;
import io.credence.plan.sim.Simulation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Solves the layers' nets: exactly (reachability graph, vanishing markings eliminated, steady
 * state of the continuous-time Markov chain) or by seeded discrete-event simulation, and reads the
 * operators' figures off the result.
 */
public final class Planner {
    /** Default bound on a layer's tangible states: a dense solve would be hopeless long before, the sparse one takes seconds. */
    public static final int STATES_MAX_DEFAULT = 200_000;

    /** How long to simulate: warm-up, then {@code batches} batches of {@code batchSeconds} (model time). */
    public record SimulationPlan(long seed, int batches, double batchSeconds, double warmupSeconds) {
        public SimulationPlan {
            if (batches < 2 || batches > 10_000 || !(batchSeconds > 0) || warmupSeconds < 0) {
                throw new IllegalArgumentException("batches 2..10000, batchSeconds > 0, warmupSeconds >= 0");
            }
        }

        /** 30 batches, each 20 mean holding times (or maintenance periods) of the slowest class, and one more as warm-up. */
        public static SimulationPlan around(List<LayerModel> layers, double maintenanceSeconds, long seed) {
            double slowest = maintenanceSeconds;
            for (LayerModel l : layers) {
                for (ServiceClass c : l.classes()) {
                    slowest = Math.max(slowest, c.meanHoldingSeconds());
                }
            }
            return new SimulationPlan(seed, 30, 20 * slowest, 20 * slowest);
        }
    }

    private Planner() {}

    /** The exact forecast; a layer whose chain has more than {@code statesMax} tangible states is StateSpaceTooLarge. */
    public static Forecast exact(List<LayerModel> layers, int statesMax) throws StateSpaceTooLarge {
        List<LayerForecast> out = new ArrayList<>();
        for (LayerModel layer : layers) {
            long started = System.nanoTime();
            TangibleChain chain = Reachability.explore(layer.net(), statesMax);
            long explored = System.nanoTime();
            double[] pi = SteadyState.solve(chain);
            long solved = System.nanoTime();
            out.add(read(layer, new Figures() {
                @Override
                public Value inService(ServiceClass c) {
                    return Value.exact(Measures.expectation(chain, pi, Planner.inService(layer, c)));
                }

                @Override
                public Value used(Pool pool) {
                    return Value.exact(Measures.expectation(chain, pi, Planner.used(layer, pool)));
                }

                @Override
                public Value throughput(String transition) {
                    return Value.exact(Measures.throughput(chain, pi, layer.net().transition(transition)));
                }
            }, chain.size(), chain.vanishingMarkings(), (explored - started) / 1_000_000, (solved - explored) / 1_000_000));
        }
        return new Forecast(Forecast.Method.EXACT, out);
    }

    /** The simulated forecast, every figure with its 99 % half-width; the same seed gives the same figures. */
    public static Forecast simulate(List<LayerModel> layers, SimulationPlan plan) {
        List<LayerForecast> out = new ArrayList<>();
        long seed = plan.seed();
        for (LayerModel layer : layers) {
            Map<String, ToDoubleFunction<int[]>> rewards = new LinkedHashMap<>();
            for (ServiceClass c : layer.classes()) {
                rewards.put(LayerModel.inService(c), inService(layer, c));
            }
            layer.pools().keySet().forEach(pool -> rewards.put(LayerModel.free(pool), used(layer, pool)));
            long started = System.nanoTime();
            Simulation.Result result = Simulation.run(layer.net(), rewards, seed++, plan.warmupSeconds(), plan.batches(),
                    plan.batchSeconds());
            long simulatedMillis = (System.nanoTime() - started) / 1_000_000;
            out.add(read(layer, new Figures() {
                @Override
                public Value inService(ServiceClass c) {
                    return value(result.rewards().get(LayerModel.inService(c)));
                }

                @Override
                public Value used(Pool pool) {
                    return value(result.rewards().get(LayerModel.free(pool)));
                }

                @Override
                public Value throughput(String transition) {
                    return value(result.throughputs().get(transition));
                }
            }, 0, 0, 0, simulatedMillis));
        }
        return new Forecast(Forecast.Method.SIMULATED, out);
    }

    private static Value value(Simulation.Estimate e) {
        return new Value(e.mean(), e.halfWidth());
    }

    /** Where the figures come from: the chain's steady state, or a simulation's estimates. */
    private interface Figures {
        Value inService(ServiceClass c);

        /** Units of the pool in use (stale ones included). */
        Value used(Pool pool);

        Value throughput(String transition);
    }

    static ToDoubleFunction<int[]> inService(LayerModel layer, ServiceClass c) {
        int place = layer.net().place(LayerModel.inService(c));
        return m -> m[place];
    }

    static ToDoubleFunction<int[]> used(LayerModel layer, Pool pool) {
        int place = layer.net().place(LayerModel.free(pool));
        LayerModel.PoolTokens t = layer.pools().get(pool);
        return m -> (double) (t.tokens() - m[place]) * t.unitsPerToken();
    }

    private static LayerForecast read(LayerModel layer, Figures figures, int states, int vanishing, long exploreMillis,
                                      long solveMillis) {
        List<ClassForecast> classes = new ArrayList<>();
        double offered = 0;
        double acceptedTotal = 0;
        double acceptedHalfWidth = 0;
        for (ServiceClass c : layer.classes()) {
            double lambda = c.arrivalsPerSecond();
            Value acceptThroughput = figures.throughput(LayerModel.accept(c));
            // a probability: rounding may put the quotient a few ulps outside [0, 1]
            double accepted = Math.min(1, Math.max(0, acceptThroughput.value() / lambda));
            Value acceptance = new Value(accepted, acceptThroughput.halfWidth() / lambda);
            Value blocking = new Value(1 - accepted, acceptance.halfWidth());
            Value n = figures.inService(c);
            Value settle = figures.throughput(LayerModel.settle(c));
            Value settlementsPerHour = new Value(settle.value() * 3600, settle.halfWidth() * 3600);
            double perMinute = c.pricePerMinute() / 60.0;
            Value revenue = new Value(3600 * (settle.value() * c.pricePerSession() + n.value() * perMinute),
                    3600 * (settle.halfWidth() * c.pricePerSession() + n.halfWidth() * perMinute));
            double w = acceptThroughput.value() > 0 ? n.value() / acceptThroughput.value() : 0;
            classes.add(new ClassForecast(c.name(), lambda, acceptance, blocking, n, settlementsPerHour, revenue, w));
            offered += lambda;
            acceptedTotal += acceptThroughput.value();
            acceptedHalfWidth += acceptThroughput.halfWidth();
        }
        List<PoolForecast> pools = new ArrayList<>();
        for (Map.Entry<Pool, LayerModel.PoolTokens> p : layer.pools().entrySet()) {
            Value used = figures.used(p.getKey());
            long capacity = p.getValue().capacity();
            pools.add(new PoolForecast(p.getKey(), capacity, used, capacity == 0 ? Value.exact(0)
                    : new Value(used.value() / capacity, used.halfWidth() / capacity)));
        }
        return new LayerForecast(layer.layer(), states, vanishing,
                new Value(Math.min(1, acceptedTotal / offered), acceptedHalfWidth / offered), classes, pools, exploreMillis,
                solveMillis);
    }
}
