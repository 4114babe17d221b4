package io.credence.charging;

import io.credence.ledger.Outcome;

/** What an {@link EngineCommand} did. */
public sealed interface EngineOutcome {
    record LedgerOutcome(Outcome outcome) implements EngineOutcome {}

    record Charged(ChargingResult result) implements EngineOutcome {}

    /** The catalog now in force, or why the source was refused (nothing changed then). */
    record CatalogInstalled(String version, String refusal) implements EngineOutcome {
        public boolean installed() {
            return refusal == null;
        }
    }

    record Configured(EngineConfig config) implements EngineOutcome {}
}
