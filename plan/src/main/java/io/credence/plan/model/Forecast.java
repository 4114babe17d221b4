package io.credence.plan.model;

import io.credence.admission.Layer;
import io.credence.admission.Pool;

import java.util.List;

/**
 * What follows from a catalog and a load: per class and per pool, exact (from the steady state of
 * the Markov chain) or estimated by simulation with 99 % confidence half-widths.
 */
public record Forecast(Method method, List<LayerForecast> layers) {
    public Forecast {
        layers = List.copyOf(layers);
    }

    public enum Method { EXACT, SIMULATED }

    /**
     * @param tangibleStates    states of the layer's Markov chain (0 when simulated)
     * @param vanishingMarkings markings eliminated on the way (0 when simulated)
     * @param acceptance        accepted share of the layer's arrivals, all classes together
     * @param exploreMillis     time to derive the reachability graph (0 when simulated)
     * @param solveMillis       time to solve the chain, or to simulate
     */
    public record LayerForecast(Layer layer, int tangibleStates, int vanishingMarkings, Value acceptance,
                                List<ClassForecast> classes, List<PoolForecast> pools, long exploreMillis,
                                long solveMillis) {
        public LayerForecast {
            classes = List.copyOf(classes);
            pools = List.copyOf(pools);
        }
    }

    /**
     * @param inService            mean number of sessions in service
     * @param settlementsPerHour   sessions ended, recorded and settled per hour
     * @param revenuePerHour       minor units per hour: settlements x price per session + time in
     *                             service x price per minute
     * @param meanTimeInService    mean in service over accepted throughput (Little's law: W = L / lambda)
     */
    public record ClassForecast(String name, double offeredPerSecond, Value acceptance, Value blocking,
                                Value inService, Value settlementsPerHour, Value revenuePerHour,
                                double meanTimeInService) {}

    /** @param meanUsed units in use on average (stale ones included) */
    public record PoolForecast(Pool pool, long capacity, Value meanUsed, Value utilisation) {}

    /** A figure; {@code halfWidth} is the 99 % confidence half-width of a simulated one, 0 when exact. */
    public record Value(double value, double halfWidth) {
        public static Value exact(double value) {
            return new Value(value, 0);
        }

        public boolean covers(double x) {
            return Math.abs(x - value) <= halfWidth;
        }
    }

    public ClassForecast forClass(String name) {
        return layers.stream().flatMap(l -> l.classes().stream()).filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no class " + name));
    }

    public PoolForecast forPool(Layer layer, Pool pool) {
        return layers.stream().filter(l -> l.layer() == layer).flatMap(l -> l.pools().stream())
                .filter(p -> p.pool() == pool).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no pool " + layer + "." + pool));
    }
}
