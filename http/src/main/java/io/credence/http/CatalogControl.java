package io.credence.http;

import java.util.Map;
import java.util.Optional;

/**
 * The rating catalog in force, as the operations API sees it: what it is, reloading it from its
 * file, checking an uploaded catalog and putting one in force. A refused reload or upload leaves
 * the catalog in force (and its file) as it was.
 */
public interface CatalogControl {
    /** Version and counts of the catalog in force; empty when the server runs without one. */
    Optional<Map<String, Object>> current();

    /** Reads the catalog file again: the new catalog's summary, or why it was refused. */
    Reload reload();

    /**
     * Reads {@code source} (a catalog file's text) as a reload would read the file, and changes
     * nothing: the summary it would have in force, or why it would be refused.
     */
    default Reload check(byte[] source) {
        return new Reload.Refused("this server cannot check an uploaded catalog");
    }

    /**
     * Checks {@code source} and, when valid, writes it to the catalog file and puts it in force as
     * a reload does; when refused, neither the file nor the catalog in force change.
     */
    default Reload apply(byte[] source) {
        return new Reload.Refused("this server cannot take an uploaded catalog");
    }

    /** The rating engine of the catalog in force, for quotes; empty without a catalog. */
    default Optional<io.credence.rating.RatingEngine> engine() {
        return Optional.empty();
    }

    sealed interface Reload {
        record Loaded(Map<String, Object> catalog) implements Reload {}

        /**
         * {@code reason} names the file (or the upload), the line and what is wrong; {@code line}
         * and {@code column} (from 1) say where apart, 0 when unknown.
         */
        record Refused(String reason, int line, int column) implements Reload {
            public Refused(String reason) {
                this(reason, 0, 0);
            }
        }
    }

    CatalogControl NONE = new CatalogControl() {
        private static final String NO_CATALOG = "the server runs without a catalog (serve --catalog FILE)";

        public Optional<Map<String, Object>> current() {
            return Optional.empty();
        }

        public Reload reload() {
            return new Reload.Refused(NO_CATALOG);
        }

        @Override
        public Reload check(byte[] source) {
            return new Reload.Refused(NO_CATALOG);
        }

        @Override
        public Reload apply(byte[] source) {
            return new Reload.Refused(NO_CATALOG);
        }
    };
}
