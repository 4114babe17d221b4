package io.credence.server.catalog;

import io.credence.admission.AdmissionPolicy;
import io.credence.http.CatalogControl;
import io.credence.rating.Catalog;
import io.credence.rating.RatingEngine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The catalog file, and a copy of the catalog the engine has in force for what the HTTP API reads
 * (quotes, packages, the admission policy of HTTP admissions). A reload puts the file in force in
 * the engine (one journaled command: its source bytes, parsed again at every replay) only when it
 * reads as a valid catalog; sessions keep their grants, new grants see the new catalog.
 * When watching, the file is polled and reloaded when its content changes: polling rather than a
 * WatchService, because editors and deploy tools replace files by rename, which directory watches
 * report unevenly across file systems, and a content digest ignores a touch that changed nothing.
 */
public final class CatalogHolder implements CatalogControl, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CatalogHolder.class.getName());

    private final Path file;
    /** Puts a catalog's source in force in the charging engine; null: the refusal, else accepted. */
    private final java.util.function.Function<byte[], String> install;
    private final AtomicReference<RatingEngine> engine;
    private final AtomicReference<AdmissionPolicy> admission;
    /** Digest of the file content last tried (loaded or refused), so a refused edit is reported once. */
    private byte[] lastSeen;
    private ScheduledExecutorService watcher;

    /**
     * Reads {@code file} and puts it in force.
     *
     * @param install puts a catalog's source in force in the engine and says why not (null when it did)
     * @throws CatalogFile.Invalid when the file is not a valid catalog, or the engine refused it
     */
    public CatalogHolder(Path file, java.util.function.Function<byte[], String> install) throws CatalogFile.Invalid {
        this.file = file;
        this.install = install;
        byte[] source = CatalogFile.bytesOf(file);
        CatalogFile.Contents initial = CatalogFile.parse(source, file.toString());
        String refused = install.apply(source);
        if (refused != null) {
            throw new CatalogFile.Invalid(file, 0, "the engine refused it: " + refused);
        }
        this.engine = new AtomicReference<>(new RatingEngine(initial.catalog()));
        this.admission = new AtomicReference<>(initial.admission());
        this.lastSeen = digestOf(source);
    }

    /**
     * The admission policy of the catalog in force (null: none), asked at each reconcile; a reload
     * whose file has no admission section keeps the policy in force, since admissions hold pools.
     */
    public AdmissionPolicy admissionPolicy() {
        return admission.get();
    }

    /** Reloads whenever the file's content changes, checking every {@code period}. */
    public synchronized void watch(Duration period) {
        if (watcher != null) {
            return;
        }
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "catalog-watcher");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(this::reloadIfChanged, period.toMillis(), period.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void reloadIfChanged() {
        try {
            synchronized (this) {
                byte[] now = digest();
                if (now == null || MessageDigest.isEqual(now, lastSeen)) {
                    return; // unchanged, or mid-replace (missing): look again next time
                }
            }
            reload();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "catalog watch: " + e.getMessage(), e);
        }
    }

    private byte[] digest() {
        try {
            return digestOf(Files.readAllBytes(file));
        } catch (IOException e) {
            return null;
        }
    }

    private static byte[] digestOf(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
    }

    /** The rating engine of the catalog in force, for quotes and packages. */
    public RatingEngine inForce() {
        return engine.get();
    }

    @Override
    public Optional<RatingEngine> engine() {
        return Optional.of(engine.get());
    }

    @Override
    public Optional<Map<String, Object>> current() {
        return Optional.of(summary(engine.get().catalog()));
    }

    @Override
    public synchronized Reload reload() {
        try {
            byte[] source = CatalogFile.bytesOf(file);
            lastSeen = digestOf(source);
            CatalogFile.Contents contents = CatalogFile.parse(source, file.toString());
            Catalog next = contents.catalog();
            String before = engine.get().catalog().version();
            String refused = install.apply(source);
            if (refused != null) {
                throw new CatalogFile.Invalid(file, 0, "the engine refused it: " + refused);
            }
            engine.set(new RatingEngine(next));
            if (contents.admission() != null) {
                admission.set(contents.admission());
            }
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
        body.put("packages", c.packages().size());
        return body;
    }
}
