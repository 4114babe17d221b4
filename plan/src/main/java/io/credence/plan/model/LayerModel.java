package io.credence.plan.model;

import io.credence.admission.Layer;
import io.credence.admission.Pool;
import io.credence.plan.load.ServiceClass;
import io.credence.plan.net.PetriNet;

import java.util.List;
import java.util.Map;

/**
 * One layer's part of the capacity model: its net, the classes offered to it and how its pools
 * are counted in tokens. Layers share no pool, so each is solved on its own (see {@link CapacityModel}).
 *
 * @param pools per pool drawn from: its capacity and the units one token stands for
 */
public record LayerModel(Layer layer, PetriNet net, List<ServiceClass> classes, Map<Pool, PoolTokens> pools) {
    public LayerModel {
        classes = List.copyOf(classes);
        pools = Map.copyOf(pools);
    }

    /**
     * A pool as tokens: {@code tokens} of {@code unitsPerToken} each. The unit is the greatest
     * common divisor of what the classes draw, so every draw is a whole number of tokens and the
     * chain is as small as the load allows; capacity left over below one token can hold nobody.
     */
    public record PoolTokens(long capacity, long unitsPerToken, int tokens) {}

    public static String free(Pool pool) {
        return "free." + pool.jsonName();
    }

    public static String inService(ServiceClass c) {
        return "service." + c.name();
    }

    public static String stale(ServiceClass c) {
        return "stale." + c.name();
    }

    public static String accept(ServiceClass c) {
        return "accept." + c.name();
    }

    public static String reject(ServiceClass c) {
        return "reject." + c.name();
    }

    public static String settle(ServiceClass c) {
        return "settle." + c.name();
    }
}
