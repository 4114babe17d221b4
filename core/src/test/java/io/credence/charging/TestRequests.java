package io.credence.charging;

import io.credence.ledger.IdentityType;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;

import java.util.List;
import java.util.Map;

/** Gy-shaped charging requests for the engine's tests, as a PGW numbers them. */
final class TestRequests {
    private TestRequests() {}

    /** A data service of rating group {@code rg}: bytes asked and used, either absent. */
    static ChargingRequest.ServiceUsage data(long rg, Long requested, Long used) {
        return new ChargingRequest.ServiceUsage(ServiceKey.of(rg, ServiceRef.NONE, null),
                requested == null ? null : Map.of(Unit.BYTES, requested), used == null ? null : Map.of(Unit.BYTES, used),
                null);
    }

    /** Request {@code number} of a session, naming the subscriber by MSISDN (or nobody, with null). */
    static EngineCommand.Charge gy(String session, ChargingRequest.Kind kind, long number, String msisdn,
                                   ChargingRequest.ServiceUsage... services) {
        List<ChargingRequest.Identity> identities = msisdn == null ? List.of()
                : List.of(new ChargingRequest.Identity(IdentityType.E164, msisdn));
        return new EngineCommand.Charge(new ChargingRequest(session, kind, number, number, 0, false,
                ChargingRequest.EventAction.NONE, identities, EngineConfig.CONTEXT_PS, List.of(services), null,
                new ChargingRequest.Origin("diameter", "pgw", "pgw", "operator.test", -1)));
    }
}
