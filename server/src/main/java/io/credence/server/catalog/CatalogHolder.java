package io.credence.server.catalog;

import io.credence.http.CatalogControl;
import io.credence.rating.Catalog;
import io.credence.rating.RatingEngine;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The catalog in force and the file it came from. A reload swaps in a new rating engine only when
 * the file reads as a valid catalog; sessions keep their grants, new grants see the new catalog.
 */
public final class CatalogHolder implements CatalogControl {
    private static final System.Logger LOG = System.getLogger(CatalogHolder.class.getName());

    private final Path file;
    private final AtomicReference<RatingEngine> engine;

    public CatalogHolder(Path file, Catalog initial) {
        this.file = file;
        this.engine = new AtomicReference<>(new RatingEngine(initial));
    }

    /** The engine in force, for credit control to ask at each first grant. */
    public RatingEngine engine() {
        return engine.get();
    }

    @Override
    public Optional<Map<String, Object>> current() {
        return Optional.of(summary(engine.get().catalog()));
    }

    @Override
    public synchronized Reload reload() {
        try {
            Catalog next = CatalogFile.read(file);
            String before = engine.get().catalog().version();
            engine.set(new RatingEngine(next));
            LOG.log(System.Logger.Level.INFO, "catalog {0} replaced {1} (from {2})", next.version(), before, file);
            return new Reload.Loaded(summary(next));
        } catch (CatalogFile.Invalid invalid) {
            LOG.log(System.Logger.Level.WARNING, "catalog reload refused, {0} stays: {1}",
                    engine.get().catalog().version(), invalid.getMessage());
            return new Reload.Refused(invalid.getMessage());
        }
    }

    private Map<String, Object> summary(Catalog c) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", c.version());
        body.put("file", file.toString());
        body.put("currency", c.currency());
        body.put("services", c.services().size());
        body.put("tariffs", c.tariffs().size());
        body.put("rules", c.rules().size());
        body.put("timeBands", c.timeBands().size());
        body.put("outlets", c.outlets().size());
        return body;
    }
}
