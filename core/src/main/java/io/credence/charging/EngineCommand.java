package io.credence.charging;

import io.credence.ledger.Command;

/**
 * What the engine applies, one at a time, each journaled as one record: a ledger command
 * (provisioning, top-ups, the device and market steps), a charging request, a catalog to put in
 * force, or the engine's configuration.
 */
public sealed interface EngineCommand {
    /** A plain ledger command: the ledger applies it, with its request-id answer memory. */
    record LedgerCommand(Command command) implements EngineCommand {}

    /** One charging request of any protocol. */
    record Charge(ChargingRequest request) implements EngineCommand {}

    /**
     * A catalog to rate and admit with from now on: its source bytes (the operator's file), read
     * by the engine's {@link CatalogReader} now and at every replay.
     */
    record InstallCatalog(byte[] source) implements EngineCommand {
        public static final int SOURCE_BYTES_MAX = 768 * 1024;

        public InstallCatalog {
            if (source == null || source.length == 0 || source.length > SOURCE_BYTES_MAX) {
                throw new IllegalArgumentException("a catalog's source is 1.." + SOURCE_BYTES_MAX + " bytes");
            }
            source = source.clone();
        }

        @Override
        public byte[] source() {
            return source.clone();
        }
    }

    /** The configuration requests are charged with from now on. */
    record Configure(EngineConfig config) implements EngineCommand {}
}
