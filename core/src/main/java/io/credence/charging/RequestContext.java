package io.credence.charging;

import io.credence.admission.AdmissionControl;
import io.credence.ledger.Ledger;
import io.credence.ledger.Operation;
import io.credence.ledger.Outcome;
import io.credence.ledger.ServiceRef;
import io.credence.records.UsageRecord;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything one charging request is applied with: the ledger, the configuration and catalog in
 * force, the session, the request and its number, the command's time; and what it produces beside
 * its answer (usage records, usage nobody could pay for).
 */
final class RequestContext {
    final Ledger ledger;
    final EngineConfig config;
    final InstalledCatalog catalog;
    final AdmissionControl admission;
    final Session session;
    final ChargingRequest request;
    final long number;
    final long nowMillis;
    final List<UsageRecord> records = new ArrayList<>();
    final List<ChargingResult.Unrecovered> unrecovered = new ArrayList<>();

    RequestContext(Ledger ledger, EngineConfig config, InstalledCatalog catalog, AdmissionControl admission,
                   Session session, ChargingRequest request, long number, long nowMillis) {
        this.ledger = ledger;
        this.config = config;
        this.catalog = catalog;
        this.admission = admission;
        this.session = session;
        this.request = request;
        this.number = number;
        this.nowMillis = nowMillis;
    }

    /**
     * Ledger request ids of one service of this request: {@code cc:<session>:<number>:<rg>.<sid>:<step>},
     * with {@code @<upf digest>} after the service when the consumer named the UPF. Deterministic,
     * so a usage record (whose id is its step's) written again after a restart is the same record.
     */
    final class Steps {
        private final String stem;
        final ServiceKey key;
        private int step;

        Steps(ServiceKey key) {
            this.key = key;
            this.stem = "cc:" + session.key + ":" + number + ":" + part(key) + ":";
        }

        String next() {
            return stem + step++;
        }

        Outcome apply(String stepId, Operation.Step operation) {
            return ledger.engineStep(stepId, operation);
        }

        Outcome apply(Operation.Step operation) {
            return apply(next(), operation);
        }
    }

    Steps steps(ServiceKey key) {
        return new Steps(key);
    }

    /** The ledger tag of a session's grant for one service: what admission and reservations are held under. */
    static String grantTag(String sessionKey, ServiceKey key) {
        return "cc:" + sessionKey + ":" + part(key);
    }

    static String part(ServiceKey key) {
        String service = part(key.ratingGroup()) + "." + part(key.serviceId());
        return key.upfId() == null ? service : service + "@" + Digests.shortKey(key.upfId(), 11);
    }

    static String part(long value) {
        return value == ServiceRef.NONE ? "n" : Long.toString(value);
    }
}
