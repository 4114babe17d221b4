package io.credence.plan.load;

import io.credence.admission.Layer;
import io.credence.admission.QosParameter;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * One class of requests in a load description: who arrives how often at which layer, with what
 * QoS parameters, for how long, and what it pays.
 *
 * @param arrivalsPerSecond  Poisson arrival rate (D)
 * @param meanHoldingSeconds mean of the exponential time from admission to settlement (G)
 * @param qos                the parameters each request states, exactly those its layer checks
 * @param pricePerSession    minor units charged at each settlement
 * @param pricePerMinute     minor units per minute in service
 * @param abandonFraction    share of sessions whose client never releases them: their pools come
 *                           back only at the next maintenance run (U)
 */
public record ServiceClass(String name, Layer layer, double arrivalsPerSecond, double meanHoldingSeconds,
                           Map<QosParameter, Long> qos, long pricePerSession, long pricePerMinute,
                           double abandonFraction) {
    public ServiceClass {
        qos = Collections.unmodifiableMap(new EnumMap<>(qos.isEmpty() ? new EnumMap<>(QosParameter.class) : qos));
    }

    public long value(QosParameter parameter) {
        return qos.getOrDefault(parameter, 0L);
    }

    /** Offered load in Erlang (arrivals x mean holding time). */
    public double offeredErlang() {
        return arrivalsPerSecond * meanHoldingSeconds;
    }

    public ServiceClass withArrivalsPerSecond(double rate) {
        return new ServiceClass(name, layer, rate, meanHoldingSeconds, qos, pricePerSession, pricePerMinute,
                abandonFraction);
    }
}
