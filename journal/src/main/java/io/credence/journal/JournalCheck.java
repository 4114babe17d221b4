package io.credence.journal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Verifies the data directory in the background ({@link JournalVerifier}, sealed segments and
 * snapshots) once soon after start-up and then every {@link Settings#every()}, on one
 * low-priority daemon thread at a bounded read rate. It knows the directory's path and nothing
 * else of the ledger: it cannot disturb the writer's state, only share the disk with it, and the
 * rate bound keeps that share small.
 *
 * <p>Damage is logged (ERROR when the next start-up would refuse, else WARNING), each time a
 * run finds it, naming file, byte offset and problem, and kept for the health endpoint and
 * metrics until a later run finds the directory clean.
 *
 * <p>Why periodic: sealed segments and snapshots are never written again, so new damage there
 * comes only from the medium or from hands; one read at start-up would miss rot in a server
 * that runs for months. Daily by default: a day's delay costs nothing while the live state is
 * intact (the damage only matters once a snapshot is also lost), and one read a day of what two
 * snapshots keep is a small load.
 */
public final class JournalCheck implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(JournalCheck.class.getName());
    private static final long CLOSE_WAIT_SECONDS = 5;

    /**
     * @param firstAfter     delay of the first run after start-up
     * @param every          delay between the end of one run and the start of the next; zero for
     *                       the one run at start-up only
     * @param bytesPerSecond average read rate
     */
    public record Settings(Duration firstAfter, Duration every, long bytesPerSecond) {
        /** At start-up, then daily, at 32 MiB/s (a 1 GB data directory in about half a minute). */
        public static final Settings DEFAULTS = new Settings(Duration.ZERO, Duration.ofHours(24), 32L << 20);

        public Settings {
            Objects.requireNonNull(firstAfter, "firstAfter");
            Objects.requireNonNull(every, "every");
            if (firstAfter.isNegative() || every.isNegative()) {
                throw new IllegalArgumentException("firstAfter and every must be >= 0, were " + firstAfter + ", " + every);
            }
            if (bytesPerSecond < 1 << 20) {
                // slower would take hours over a large directory and only lengthen the time damage goes unseen
                throw new IllegalArgumentException("bytesPerSecond must be >= 1 MiB/s, was " + bytesPerSecond);
            }
        }
    }

    private final Path dir;
    private final Settings settings;
    private final ScheduledExecutorService timer;
    private volatile JournalVerifier.Report last;
    private volatile String failure;
    private volatile Instant failedAt;
    private volatile boolean running;
    private volatile long runs;

    private JournalCheck(Path dir, Settings settings) {
        this.dir = dir.toAbsolutePath(); // the log and health name files by a path that needs no working directory
        this.settings = settings;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "credence-journal-check");
            thread.setDaemon(true);
            // a hint only (Linux ignores it without privileges); the rate bound is what protects the writer
            thread.setPriority(Thread.MIN_PRIORITY);
            return thread;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.timer = executor;
    }

    /** Starts the schedule; the first run begins after {@code settings.firstAfter()}. */
    public static JournalCheck start(Path dir, Settings settings) {
        JournalCheck check = new JournalCheck(dir, settings);
        long first = settings.firstAfter().toMillis();
        if (settings.every().isZero()) {
            check.timer.schedule(check::runOnce, first, TimeUnit.MILLISECONDS);
        } else {
            // fixed delay, not rate: a slow run pushes the next one back instead of piling runs up
            check.timer.scheduleWithFixedDelay(check::runOnce, first, settings.every().toMillis(), TimeUnit.MILLISECONDS);
        }
        return check;
    }

    public Settings settings() {
        return settings;
    }

    /** The last completed run's report, or null before the first completes. */
    public JournalVerifier.Report lastReport() {
        return last;
    }

    /** Runs completed so far (failed ones included). */
    public long runs() {
        return runs;
    }

    /** Whether the last completed run found damage. */
    public boolean damaged() {
        JournalVerifier.Report report = last;
        return report != null && !report.clean();
    }

    /** One line per damaged place the last run found, for the health endpoint's list of problems. */
    public List<String> problems() {
        JournalVerifier.Report report = last;
        List<String> problems = new ArrayList<>();
        if (report != null) {
            for (JournalVerifier.Damage d : report.damage()) {
                problems.add("journal-damaged: " + d.describe());
            }
        }
        return problems;
    }

    /**
     * The state for the health endpoint: {@code status} is pending (no run completed yet), clean,
     * damaged, or failed (the directory could not be listed), and the last report's figures.
     */
    public Map<String, Object> describe() {
        JournalVerifier.Report report = last;
        String failed = failure;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", failed != null ? "failed" : report == null ? "pending" : report.clean() ? "clean" : "damaged");
        out.put("running", running);
        if (failed != null) {
            out.put("error", failed);
            out.put("failedAt", String.valueOf(failedAt));
        }
        if (report != null) {
            out.put("checkedAt", report.finishedAt().toString());
            out.put("elapsedMillis", report.elapsedMillis());
            out.put("segments", report.segments());
            out.put("snapshots", report.snapshots());
            out.put("records", report.records());
            out.put("bytes", report.bytes());
            List<Map<String, Object>> damage = new ArrayList<>();
            for (JournalVerifier.Damage d : report.damage()) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("file", d.file().toString());
                one.put("offset", d.offset());
                one.put("problem", d.problem());
                one.put("blocksStartUp", d.blocksStartUp());
                one.put("impact", d.impact());
                damage.add(one);
            }
            out.put("damage", damage);
        }
        out.put("everySeconds", settings.every().toSeconds());
        return out;
    }

    private void runOnce() {
        running = true;
        try {
            JournalVerifier.Report report = JournalVerifier.verify(dir, JournalVerifier.Scope.SEALED,
                    settings.bytesPerSecond());
            last = report;
            failure = null;
            log(report);
        } catch (InterruptedIOException stopping) {
            return; // closed while reading; not a finding
        } catch (IOException | RuntimeException failed) {
            // caught, not thrown: an exception would cancel every later run of the schedule
            failure = failed.toString();
            failedAt = Instant.now();
            LOG.log(System.Logger.Level.WARNING, "journal check of " + dir + " could not run: " + failed);
        } finally {
            running = false;
        }
        runs++; // only this thread writes it
    }

    private void log(JournalVerifier.Report report) {
        for (JournalVerifier.Damage d : report.damage()) {
            LOG.log(d.blocksStartUp() ? System.Logger.Level.ERROR : System.Logger.Level.WARNING,
                    "journal check: DAMAGE in " + d.describe());
        }
        for (String note : report.notes()) {
            LOG.log(System.Logger.Level.DEBUG, "journal check: " + note);
        }
        LOG.log(report.clean() ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
                "journal check of " + dir + ": " + report.summary());
    }

    /** Stops the schedule and interrupts a run in progress; waits a few seconds for it to end. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            if (!timer.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "journal check did not stop within " + CLOSE_WAIT_SECONDS + " s");
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
