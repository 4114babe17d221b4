package io.credence.charging;

import io.credence.admission.AdmissionPolicy;
import io.credence.rating.Catalog;
import io.credence.rating.CatalogException;

/**
 * Turns a catalog's source bytes (the operator's JSON file) into what the engine rates and admits
 * with. The engine journals the bytes, not the parsed catalog, so the reader must be a pure
 * function: the same bytes always give the same catalog, at install and at every replay. The shell
 * provides it (the JSON parser is not part of the core).
 */
@FunctionalInterface
public interface CatalogReader {
    /** What a catalog file holds: the rating catalog and, optionally, its admission policy (null: none). */
    record Contents(Catalog catalog, AdmissionPolicy admission) {
        public Contents {
            if (catalog == null) {
                throw new IllegalArgumentException("a catalog file holds a catalog");
            }
        }
    }

    /** A reader for an engine that never installs a catalog (tests of the ledger alone). */
    CatalogReader NONE = source -> {
        throw new CatalogException("catalog", "this engine has no catalog reader");
    };

    Contents read(byte[] source);
}
