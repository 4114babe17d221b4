package io.credence.server.catalog;

import io.credence.admission.AdmissionPolicy;
import io.credence.http.CatalogControl;
import io.credence.rating.Catalog;
import io.credence.rating.RatingEngine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
 * An uploaded catalog ({@code PUT /v1/catalog}) is checked as the file would be, written over the
 * file (atomically) and put in force by the same code as a reload; reloads, uploads and the
 * watcher take turns on the holder's lock.
 */
public final class CatalogHolder implements CatalogControl, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CatalogHolder.class.getName());
    /** What a refusal of an uploaded catalog calls it, where a reload names the file. */
    static final String UPLOADED = "uploaded catalog";

    private final Path file;
    /** Puts a catalog's source in force in the charging engine; null: the refusal, else accepted. */
    private final java.util.function.Function<byte[], String> install;
    private final AtomicReference<RatingEngine> engine;
    private final AtomicReference<AdmissionPolicy> admission;
    /** Digest of the file content last tried (loaded or refused), so a refused edit is reported once. */
    private byte[] lastSeen;
    private ScheduledExecutorService watcher;
    /** The source of the catalog in force (as last put in force by this holder), to put back if need be. */
    private byte[] inForceSource;

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
        this.inForceSource = source;
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
            return new Reload.Loaded(summary(putInForce(source, contents, file)));
        } catch (CatalogFile.Invalid invalid) {
            LOG.log(System.Logger.Level.WARNING, "catalog reload refused, {0} stays: {1}",
                    engine.get().catalog().version(), invalid.getMessage());
            return new Reload.Refused(invalid.getMessage(), invalid.line(), invalid.column());
        }
    }

    /**
     * Reads an uploaded catalog as {@link #reload()} reads the file, and changes nothing. Not under
     * the lock: it reads no state of the holder.
     */
    @Override
    public Reload check(byte[] source) {
        try {
            Map<String, Object> summary = summary(CatalogFile.parse(source, UPLOADED).catalog());
            summary.remove("file"); // not the file's: the upload's
            return new Reload.Loaded(summary);
        } catch (CatalogFile.Invalid invalid) {
            return refusedUpload(invalid);
        }
    }

    /**
     * Checks an uploaded catalog; when valid, writes it next to the catalog file (fsynced), puts it
     * in force exactly as {@link #reload()} does, and only then renames it over the file (an atomic
     * replace) and fsyncs the directory. A refusal (by the check, a failed write or the engine)
     * leaves the file and the catalog in force as they were. Under the holder's lock, so reloads,
     * uploads and the watcher take turns, and the watcher never sees the file half-way.
     */
    @Override
    public synchronized Reload apply(byte[] source) {
        CatalogFile.Contents contents;
        try {
            contents = CatalogFile.parse(source, UPLOADED);
        } catch (CatalogFile.Invalid invalid) {
            LOG.log(System.Logger.Level.WARNING, "catalog upload refused, {0} stays: {1}",
                    engine.get().catalog().version(), invalid.getMessage());
            return refusedUpload(invalid);
        }
        Path target = writable(file);
        Path temp;
        try {
            temp = writtenBeside(source, target);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "catalog upload not written, {0} stays: {1}",
                    engine.get().catalog().version(), e.toString());
            return new Reload.Refused(UPLOADED + ": could not be written beside " + file + ": " + e.getMessage());
        }
        byte[] before = inForceSource;
        Catalog next;
        try {
            next = putInForce(source, contents, UPLOADED);
        } catch (CatalogFile.Invalid engineRefused) {
            deleteQuietly(temp);
            LOG.log(System.Logger.Level.WARNING, "catalog upload refused, {0} stays: {1}",
                    engine.get().catalog().version(), engineRefused.getMessage());
            return refusedUpload(engineRefused);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // The file keeps the old catalog: put that back in force too, so the two agree (a restart
            // or a reload would read the file). Consumers are asked to report twice; rare enough.
            deleteQuietly(temp);
            String cause = e.toString();
            try {
                CatalogFile.Contents old = CatalogFile.parse(before, file.toString());
                putInForce(before, old, file);
                LOG.log(System.Logger.Level.WARNING, "catalog upload not renamed over {0}, {1} put back: {2}",
                        file, old.catalog().version(), cause);
                return new Reload.Refused(UPLOADED + ": could not replace " + file + " (" + e.getMessage()
                        + "); catalog " + old.catalog().version() + " stays in force");
            } catch (CatalogFile.Invalid putBack) {
                LOG.log(System.Logger.Level.ERROR, "catalog upload {0} is in force but {1} could not be replaced ({2}) "
                        + "and the catalog before could not be put back: {3}", next.version(), file, cause,
                        putBack.getMessage());
                return new Reload.Loaded(summary(next));
            }
        }
        lastSeen = digestOf(source); // the watcher sees no change: this content is in force
        try {
            fsyncDirectory(target.getParent());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "catalog file {0} replaced, its directory not synced: {1}", file,
                    e.toString());
        }
        return new Reload.Loaded(summary(next));
    }

    /**
     * The one way a catalog comes in force, for a reload and an upload alike: the engine takes its
     * source (one journaled command; the consumers are asked to report again), then the copy the
     * HTTP API reads. The caller holds the lock.
     *
     * @throws CatalogFile.Invalid when the engine refused it; nothing changed then
     */
    private Catalog putInForce(byte[] source, CatalogFile.Contents contents, Object from) throws CatalogFile.Invalid {
        Catalog next = contents.catalog();
        String before = engine.get().catalog().version();
        String refused = install.apply(source);
        if (refused != null) {
            throw new CatalogFile.Invalid(from, 0, "the engine refused it: " + refused);
        }
        engine.set(new RatingEngine(next));
        if (contents.admission() != null) {
            admission.set(contents.admission());
        }
        inForceSource = source;
        LOG.log(System.Logger.Level.INFO, "catalog {0} replaced {1} (from {2})", next.version(), before, from);
        return next;
    }

    /** An upload's refusal names the upload, the line and the column, e.g. {@code uploaded catalog, line 7, column 5: ...}. */
    private static Reload.Refused refusedUpload(CatalogFile.Invalid invalid) {
        String where = invalid.line() == 0 ? UPLOADED : UPLOADED + ", line " + invalid.line()
                + (invalid.column() > 0 ? ", column " + invalid.column() : "");
        return new Reload.Refused(where + ": " + invalid.reason(), invalid.line(), invalid.column());
    }

    /** {@code source} in a new file in the catalog file's directory, forced to disk; renamed over the file next. */
    private Path writtenBeside(byte[] source, Path target) throws IOException {
        Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".upload");
        try {
            // a temporary file is private (0600); the catalog keeps the permissions it had
            Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(target));
        } catch (UnsupportedOperationException | IOException notPosixOrNoFile) {
            // keeps the temporary file's
        }
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(source);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temp);
            throw e;
        }
        return temp;
    }

    /** The file a link names (so an upload replaces the file, not the link), or the path itself when it is none. */
    private static Path writable(Path file) {
        try {
            return file.toRealPath();
        } catch (IOException missing) {
            return file.toAbsolutePath();
        }
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "catalog upload {0} left behind: {1}", temp, e.toString());
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
