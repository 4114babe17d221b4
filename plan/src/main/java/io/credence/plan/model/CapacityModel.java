package io.credence.plan.model;

import io.credence.admission.AdmissionPolicy;
import io.credence.admission.AdmissionPolicy.LayerPolicy;
import io.credence.admission.AdmissionPolicy.Range;
import io.credence.admission.Layer;
import io.credence.admission.Pool;
import io.credence.admission.QosParameter;
import io.credence.plan.load.Load;
import io.credence.plan.load.LoadException;
import io.credence.plan.load.ServiceClass;
import io.credence.plan.net.Arc;
import io.credence.plan.net.Guard;
import io.credence.plan.net.PetriNet;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The layered-admission process as a generalized stochastic Petri net, one net per layer:
 *
 * <ul>
 *   <li><b>D</b> {@code arrive.<class>} (timed, the class's arrival rate) puts a request in
 *       {@code request.<class>};</li>
 *   <li><b>F</b> {@code enter.<class>} (immediate) hands its charging parameters to the layer;</li>
 *   <li><b>t2/t4</b> {@code accept.<class>} (immediate, priority over rejection) fires when the
 *       parameters are inside the layer's ranges, no threshold stops them at the pools' current
 *       fill, and every pool has the draw free: <b>E</b>, the allocation, is its taking the draw's
 *       tokens from {@code free.<pool>} into {@code service.<class>};</li>
 *   <li><b>t1/t3</b> {@code reject.<class>} (immediate) fires otherwise;</li>
 *   <li><b>G</b> {@code settle.<class>} (timed, rate in-service x 1/mean holding) ends a session:
 *       its usage is recorded and settled, and its pools are released ({@code release.<class>}) or,
 *       for the abandoned share, left {@code stale.<class>} until maintenance;</li>
 *   <li><b>U</b> {@code maintain} (timed, 1/maintenance period) marks {@code maintenance}, while
 *       which {@code return.<class>} gives stale pools back one session at a time and {@code done}
 *       ends the run.</li>
 * </ul>
 *
 * The decision rules are the server's ({@code AdmissionControl}): a threshold compares the pool's
 * used units times 100 with capacity times the fill percent, before the request is counted. The
 * net's timing is exponential, so a fixed maintenance period is modelled by its mean.
 *
 * <p>Layers share no pool and their arrivals are independent, so the joint chain is the product of
 * the layers' chains: solving each layer on its own gives the same per-layer answers from chains
 * that are far smaller.
 */
public final class CapacityModel {
    /** Pools with more tokens than this would make a chain no one could solve anyway. */
    static final long TOKENS_MAX = 10_000_000;

    private CapacityModel() {}

    /** Checks the load against the catalog (each class states exactly its layer's parameters) and builds the nets. */
    public static List<LayerModel> build(AdmissionPolicy policy, Load load) throws LoadException {
        Map<Layer, List<ServiceClass>> byLayer = new EnumMap<>(Layer.class);
        for (int i = 0; i < load.classes().size(); i++) {
            ServiceClass c = load.classes().get(i);
            Set<QosParameter> checked = policy.layer(c.layer()).ranges().keySet();
            if (checked.isEmpty()) {
                throw new LoadException("classes[" + i + "].layer", "the catalog's " + c.layer().jsonName()
                        + " layer admits nothing (no ranges)");
            }
            if (!c.qos().keySet().equals(checked)) {
                throw new LoadException("classes[" + i + "].qos", "must state exactly the parameters the "
                        + c.layer().jsonName() + " layer checks: " + checked.stream().map(QosParameter::jsonName).toList()
                        + ", states " + c.qos().keySet().stream().map(QosParameter::jsonName).toList());
            }
            byLayer.computeIfAbsent(c.layer(), l -> new ArrayList<>()).add(c);
        }
        List<LayerModel> models = new ArrayList<>();
        for (Map.Entry<Layer, List<ServiceClass>> e : byLayer.entrySet()) {
            models.add(layer(e.getKey(), policy.layer(e.getKey()), e.getValue(), load.maintenancePeriodSeconds()));
        }
        return models;
    }

    static LayerModel layer(Layer layer, LayerPolicy policy, List<ServiceClass> classes, double maintenanceSeconds)
            throws LoadException {
        Map<Pool, LayerModel.PoolTokens> pools = new EnumMap<>(Pool.class);
        for (Pool pool : Pool.values()) {
            long unit = 0;
            for (ServiceClass c : classes) {
                unit = gcd(unit, draw(c, pool));
            }
            if (unit == 0) {
                continue; // nobody draws from it
            }
            long capacity = policy.capacity(pool);
            long tokens = capacity / unit;
            if (tokens > TOKENS_MAX) {
                throw new LoadException(layer.jsonName() + ".pools." + pool.jsonName(), "holds " + tokens
                        + " sessions' worth of " + unit + " units; the model counts at most " + TOKENS_MAX);
            }
            pools.put(pool, new LayerModel.PoolTokens(capacity, unit, (int) tokens));
        }
        PetriNet.Builder net = PetriNet.builder();
        Map<Pool, Integer> free = new LinkedHashMap<>();
        pools.forEach((pool, t) -> free.put(pool, net.place(LayerModel.free(pool), t.tokens())));
        boolean anyAbandon = classes.stream().anyMatch(c -> c.abandonFraction() > 0);
        int maintenance = anyAbandon ? net.place("maintenance", 0) : -1;
        List<Integer> staleAll = new ArrayList<>();
        for (ServiceClass c : classes) {
            int request = net.place("request." + c.name(), 0);
            int atLayer = net.place("layer." + c.name(), 0);
            int service = net.place(LayerModel.inService(c), 0);
            List<Arc> draws = new ArrayList<>();
            pools.forEach((pool, t) -> {
                long d = draw(c, pool);
                if (d > 0) {
                    draws.add(new Arc(free.get(pool), Math.toIntExact(d / t.unitsPerToken())));
                }
            });
            net.timed("arrive." + c.name(), List.of(), List.of(new Arc(request, 1)), null,
                    m -> c.arrivalsPerSecond());
            net.immediate("enter." + c.name(), List.of(new Arc(request, 1)), List.of(new Arc(atLayer, 1)), null, 3, 1);
            List<Arc> acceptIn = new ArrayList<>(draws);
            acceptIn.add(new Arc(atLayer, 1));
            net.immediate(LayerModel.accept(c), acceptIn, List.of(new Arc(service, 1)),
                    admissible(c, policy, pools, free), 2, 1);
            net.immediate(LayerModel.reject(c), List.of(new Arc(atLayer, 1)), List.of(), null, 1, 1);
            double mu = 1 / c.meanHoldingSeconds();
            if (c.abandonFraction() == 0) {
                net.timed(LayerModel.settle(c), List.of(new Arc(service, 1)), draws, null, m -> m[service] * mu);
                continue;
            }
            int ending = net.place("ending." + c.name(), 0);
            int stale = net.place(LayerModel.stale(c), 0);
            staleAll.add(stale);
            net.timed(LayerModel.settle(c), List.of(new Arc(service, 1)), List.of(new Arc(ending, 1)), null,
                    m -> m[service] * mu);
            net.immediate("release." + c.name(), List.of(new Arc(ending, 1)), draws, null, 3, 1 - c.abandonFraction());
            net.immediate("abandon." + c.name(), List.of(new Arc(ending, 1)), List.of(new Arc(stale, 1)), null, 3,
                    c.abandonFraction());
            List<Arc> returned = new ArrayList<>(draws);
            returned.add(new Arc(maintenance, 1));
            net.immediate("return." + c.name(), List.of(new Arc(maintenance, 1), new Arc(stale, 1)), returned, null, 5, 1);
        }
        if (anyAbandon) {
            int[] stales = staleAll.stream().mapToInt(Integer::intValue).toArray();
            double rate = 1 / maintenanceSeconds;
            // only when something is stale: a run that finds nothing changes nothing, and the guard keeps
            // the chain free of such self loops
            net.timed("maintain", List.of(), List.of(new Arc(maintenance, 1)), m -> {
                for (int s : stales) {
                    if (m[s] > 0) {
                        return true;
                    }
                }
                return false;
            }, m -> rate);
            net.immediate("done", List.of(new Arc(maintenance, 1)), List.of(), null, 4, 1);
        }
        return new LayerModel(layer, net.build(), classes, pools);
    }

    /** The class's parameters inside the layer's ranges, and no threshold stopping them at the pools' fill. */
    private static Guard admissible(ServiceClass c, LayerPolicy policy, Map<Pool, LayerModel.PoolTokens> pools,
                                    Map<Pool, Integer> free) {
        for (Map.Entry<QosParameter, Range> r : policy.ranges().entrySet()) {
            if (!r.getValue().contains(c.value(r.getKey()))) {
                return m -> false; // always refused, whatever the pools
            }
        }
        List<Guard> thresholds = new ArrayList<>();
        for (Map.Entry<QosParameter, Range> r : policy.ranges().entrySet()) {
            AdmissionPolicy.Threshold threshold = r.getValue().threshold();
            if (threshold == null || c.value(r.getKey()) <= threshold.value()) {
                continue;
            }
            Pool pool = r.getKey().pool().orElseThrow();
            LayerModel.PoolTokens t = pools.get(pool);
            if (t == null) {
                // nobody draws from this pool, so it is always empty: the threshold never applies
                continue;
            }
            int place = free.get(pool);
            long capacity = policy.capacity(pool);
            thresholds.add(m -> (t.tokens() - m[place]) * t.unitsPerToken() * 100 < capacity * threshold.fillPercent());
        }
        return m -> {
            for (Guard g : thresholds) {
                if (!g.test(m)) {
                    return false;
                }
            }
            return true;
        };
    }

    static long draw(ServiceClass c, Pool pool) {
        for (QosParameter p : QosParameter.values()) {
            if (p.pool().orElse(null) == pool) {
                return c.value(p);
            }
        }
        return 0;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
