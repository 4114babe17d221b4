package io.credence.http;

import java.util.Map;
import java.util.Optional;

/**
 * The rating catalog in force, as the operations API sees it: what it is, and reloading it from
 * its file. A refused reload leaves the catalog in force as it was.
 */
public interface CatalogControl {
    /** Version and counts of the catalog in force; empty when the server runs without one. */
    Optional<Map<String, Object>> current();

    /** Reads the catalog file again: the new catalog's summary, or why it was refused. */
    Reload reload();

    /** The rating engine of the catalog in force, for quotes; empty without a catalog. */
    default Optional<io.credence.rating.RatingEngine> engine() {
        return Optional.empty();
    }

    sealed interface Reload {
        record Loaded(Map<String, Object> catalog) implements Reload {}

        /** {@code reason} names the file, the line and what is wrong. */
        record Refused(String reason) implements Reload {}
    }

    CatalogControl NONE = new CatalogControl() {
        public Optional<Map<String, Object>> current() {
            return Optional.empty();
        }

        public Reload reload() {
            return new Reload.Refused("the server runs without a catalog (serve --catalog FILE)");
        }
    };
}
