package io.credence.journal;

import io.credence.charging.CatalogReader;
import io.credence.charging.ChargingResult;
import io.credence.records.UsageSink;

import java.util.function.Consumer;

/**
 * What a durable engine is opened with beside its directory and bounds.
 *
 * @param catalogReader reads an installed catalog's source (at install and at every replay)
 * @param records       where the usage records of charges go, on the writer thread, once their
 *                      batch is on disk and before it is answered; a charge replayed at start-up
 *                      writes its records again (same ids: readers keep one), so none is lost
 *                      with a killed process. Must not block for long.
 * @param unrecovered   told of usage nobody could pay for (a metric, a log line), after the batch is durable
 */
public record EngineSetup(CatalogReader catalogReader, UsageSink records,
                          Consumer<ChargingResult.Unrecovered> unrecovered) {
    public static final EngineSetup NONE = new EngineSetup(CatalogReader.NONE, UsageSink.NONE, u -> { });

    public EngineSetup {
        if (catalogReader == null || records == null || unrecovered == null) {
            throw new IllegalArgumentException("catalogReader, records and unrecovered are required (use the NONE forms)");
        }
    }
}
