package io.credence.charging.simulation;

import io.credence.charging.ChargingOutcome;
import io.credence.charging.ChargingRequest;
import io.credence.charging.EngineConfig;
import io.credence.charging.ServiceKey;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import io.credence.rating.NetworkType;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One simulated network element's session, shaped as its protocol sends it: a PGW on Gy (numbered
 * requests, data rating groups), an S-CSCF on Ro (one voice service, terminal attributes that
 * change mid-call), an SMF on Nchf (unnumbered requests told apart by their bytes, the same
 * sequence number every time, quota per UPF). It remembers what it was granted, reports usage on
 * it (mostly within the grant, sometimes beyond, sometimes late), and its last request, to send
 * again when the answer did not come.
 */
final class SimClient {
    enum Shape { GY, RO, NCHF }

    enum Phase { NEW, OPEN, ENDED, ABANDONED }

    /** A grant the client holds: what it may use before it reports. */
    record Held(Unit unit, long amount) {}

    final String sessionId;
    final Shape shape;
    final int subscriber;
    final List<ServiceKey> services;
    Phase phase = Phase.NEW;
    final Map<ServiceKey, Held> held = new LinkedHashMap<>();
    long nextNumber;
    /** The last request sent and, once it came, its answer; null answer: not answered (lost in a crash). */
    ChargingRequest last;
    ChargingOutcome lastAnswer;
    /** The usage records the last request's application wrote (forgotten if its record is lost in a crash). */
    List<String> lastRecords = List.of();
    /** When the last request was sent: a retransmission much later is not one a client makes. */
    long lastSentAtMillis;
    private long digestCounter;
    private final long digestSalt;

    SimClient(String sessionId, Shape shape, int subscriber, SplitMix64 random) {
        this.sessionId = sessionId;
        this.shape = shape;
        this.subscriber = subscriber;
        this.digestSalt = random.nextLong();
        this.services = switch (shape) {
            case GY -> random.percent(50) ? List.of(ServiceKey.of(SimWorld.DATA_RG, ServiceRef.NONE, null))
                    : List.of(ServiceKey.of(SimWorld.DATA_RG, ServiceRef.NONE, null),
                    ServiceKey.of(SimWorld.DATA_RG_2, ServiceRef.NONE, null),
                    ServiceKey.of(SimWorld.VIDEO_RG, ServiceRef.NONE, null));
            case RO -> List.of(ServiceKey.of(SimWorld.VOICE_RG, ServiceRef.NONE, null));
            case NCHF -> random.percent(50)
                    ? List.of(ServiceKey.of(SimWorld.DATA_RG, ServiceRef.NONE, SimWorld.UPFS.get(0)))
                    : List.of(ServiceKey.of(SimWorld.DATA_RG, ServiceRef.NONE, SimWorld.UPFS.get(0)),
                    ServiceKey.of(SimWorld.DATA_RG, ServiceRef.NONE, SimWorld.UPFS.get(1)));
        };
    }

    private String context() {
        return switch (shape) {
            case GY -> random3gppContext();
            case RO -> EngineConfig.CONTEXT_IMS;
            case NCHF -> EngineConfig.CONTEXT_5G_DATA;
        };
    }

    private static String random3gppContext() {
        return EngineConfig.CONTEXT_PS;
    }

    /** The first request: every service asks for a grant (requested, or the default). */
    ChargingRequest initial(SplitMix64 random) {
        List<ChargingRequest.ServiceUsage> usages = new ArrayList<>();
        for (ServiceKey key : services) {
            // a voice call's codec asks layered admission for its bandwidth and latency class
            ChargingRequest.Qos qos = shape == Shape.RO && random.percent(60) ? new ChargingRequest.Qos(
                    random.percent(5) ? 12 : random.between(1, 9), random.between(8, random.percent(5) ? 5_000 : 1_500))
                    : null;
            usages.add(new ChargingRequest.ServiceUsage(key, ask(random, key), null, qos));
        }
        return request(ChargingRequest.Kind.INITIAL, usages, identitiesAlways(), attributes(random));
    }

    /** An update: usage on what is held (or on nothing), and maybe more asked. */
    ChargingRequest update(SplitMix64 random, boolean late) {
        List<ChargingRequest.ServiceUsage> usages = new ArrayList<>();
        for (ServiceKey key : services) {
            Map<Unit, Long> used = used(random, key, late);
            Map<Unit, Long> requested = random.percent(85) ? ask(random, key) : null;
            if (used != null || requested != null || random.percent(20)) {
                usages.add(new ChargingRequest.ServiceUsage(key, requested, used, null));
            }
        }
        return request(ChargingRequest.Kind.UPDATE, usages, random.percent(30) ? identitiesAlways() : List.of(),
                attributes(random));
    }

    ChargingRequest terminate(SplitMix64 random) {
        List<ChargingRequest.ServiceUsage> usages = new ArrayList<>();
        for (ServiceKey key : services) {
            Map<Unit, Long> used = used(random, key, false);
            if (used != null) {
                usages.add(new ChargingRequest.ServiceUsage(key, null, used, null));
            }
        }
        return request(ChargingRequest.Kind.TERMINATE, usages, random.percent(30) ? identitiesAlways() : List.of(),
                ChargingRequest.Attributes.NONE);
    }

    /** A one-off event (an SMS, a refund, a balance check or a price enquiry): its own session. */
    ChargingRequest event(SplitMix64 random) {
        ChargingRequest.EventAction action = random.pick(List.of(ChargingRequest.EventAction.DIRECT_DEBITING,
                ChargingRequest.EventAction.DIRECT_DEBITING, ChargingRequest.EventAction.REFUND_ACCOUNT,
                ChargingRequest.EventAction.CHECK_BALANCE, ChargingRequest.EventAction.PRICE_ENQUIRY));
        boolean sms = random.percent(60);
        ServiceKey key = ServiceKey.of(sms ? SimWorld.SMS_RG : SimWorld.DATA_RG, ServiceRef.NONE, null);
        Map<Unit, Long> requested = new EnumMap<>(Unit.class);
        requested.put(sms ? Unit.SERVICE_UNITS : Unit.BYTES, sms ? random.between(1, 3) : random.between(1, 50_000));
        ChargingRequest r = new ChargingRequest(sessionId, ChargingRequest.Kind.EVENT, 0, -1, 0, false, action,
                identitiesAlways(), sms ? EngineConfig.CONTEXT_SMS : EngineConfig.CONTEXT_PS,
                List.of(new ChargingRequest.ServiceUsage(key, requested, null, null)), ChargingRequest.Attributes.NONE,
                origin());
        nextNumber = 1;
        return r;
    }

    private List<ChargingRequest.Identity> identitiesAlways() {
        return SimWorld.identities(subscriber);
    }

    private ChargingRequest request(ChargingRequest.Kind kind, List<ChargingRequest.ServiceUsage> usages,
                                    List<ChargingRequest.Identity> identities, ChargingRequest.Attributes attributes) {
        boolean numbered = shape != Shape.NCHF;
        long number = numbered ? nextNumber : ChargingRequest.NUMBER_NEXT;
        nextNumber++;
        // an SMF's requests differ in their bytes (timestamps at least); its sequence number does not (free5GC)
        long digest = numbered ? 0 : mix(digestSalt + ++digestCounter);
        return new ChargingRequest(sessionId, kind, number, numbered ? -1 : 0, digest, false,
                ChargingRequest.EventAction.NONE, identities, context(), usages, attributes, origin());
    }

    private ChargingRequest.Origin origin() {
        return switch (shape) {
            case GY -> new ChargingRequest.Origin("diameter", "pgw.sim", "pgw.sim", "sim", -1);
            case RO -> new ChargingRequest.Origin("diameter", "scscf.sim", "scscf.sim", "sim", 10415);
            case NCHF -> new ChargingRequest.Origin("nchf", "", "SMF", "", -1);
        };
    }

    /** A terminal's attributes for voice: networks change mid-call, sometimes roaming, sometimes an international outlet. */
    private ChargingRequest.Attributes attributes(SplitMix64 random) {
        if (shape != Shape.RO) {
            return ChargingRequest.Attributes.NONE;
        }
        NetworkType served = random.pick(List.of(NetworkType.LTE, NetworkType.WIFI, NetworkType.NR));
        NetworkType other = random.percent(50) ? random.pick(List.of(NetworkType.LTE, NetworkType.CS)) : null;
        String visited = random.percent(15) ? "20810" : "26201";
        String outlet = random.percent(10) ? "trunk-intl" : null;
        return new ChargingRequest.Attributes(served, null, visited, other, random.percent(20), outlet);
    }

    /** What to ask for: the default grant (empty), or an amount in the service's unit. */
    private Map<Unit, Long> ask(SplitMix64 random, ServiceKey key) {
        if (random.percent(25)) {
            return Map.of();
        }
        Unit unit = unitOf(key);
        long amount = switch (unit) {
            case SECONDS -> random.between(1, 300);
            case SERVICE_UNITS -> random.between(1, 3);
            default -> random.between(1, 1_000_000);
        };
        return Map.of(unit, amount);
    }

    /** Usage on the held grant: mostly within it, sometimes beyond; without a grant sometimes some all the same. */
    private Map<Unit, Long> used(SplitMix64 random, ServiceKey key, boolean late) {
        Held h = held.get(key);
        if (h == null) {
            return random.percent(10) ? Map.of(unitOf(key), random.between(1, 5_000)) : null;
        }
        long amount;
        int roll = random.nextInt(100);
        if (roll < 10) {
            amount = 0;
        } else if (roll < 85 || !late && roll < 92) {
            amount = random.between(0, h.amount());
        } else {
            amount = h.amount() + random.between(1, Math.max(1, h.amount())); // past the grant
        }
        return Map.of(h.unit(), amount);
    }

    static Unit unitOf(ServiceKey key) {
        if (key.ratingGroup() == SimWorld.VOICE_RG) {
            return Unit.SECONDS;
        }
        if (key.ratingGroup() == SimWorld.SMS_RG) {
            return Unit.SERVICE_UNITS;
        }
        return Unit.BYTES;
    }

    /** The answer came: what the client holds now follows it. */
    void answered(ChargingRequest request, ChargingOutcome outcome) {
        last = request;
        lastAnswer = outcome;
        if (request.kind() == ChargingRequest.Kind.TERMINATE || request.kind() == ChargingRequest.Kind.EVENT
                || outcome.sessionEnded()) {
            held.clear();
            phase = Phase.ENDED;
            return;
        }
        phase = Phase.OPEN;
        for (ChargingOutcome.ServiceOutcome s : outcome.services()) {
            if (s.result() == ChargingOutcome.Result.SUCCESS && s.unit() != null && s.granted() > 0) {
                held.put(s.key(), new Held(s.unit(), s.granted()));
            } else {
                held.remove(s.key());
            }
        }
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        z = z ^ (z >>> 33);
        return z == 0 ? 1 : z;
    }
}
