package io.credence.http;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Whether the server should be sent traffic: the journal writer is running, and the data
 * directory takes a write and has room. A load balancer or Kubernetes takes the server out of
 * rotation on 503 and back when the operator has freed the disk.
 */
public final class Readiness {
    /** Free space below both of these is "not ready": the smaller one rules on a small disk. */
    public static final long DISK_FREE_BYTES_MIN = 100L * 1024 * 1024;
    public static final int DISK_FREE_PERCENT_MIN = 1;

    /** The outcome and the figures it was taken on, for the JSON answer. */
    public record Report(boolean ready, Map<String, Object> checks) {}

    private final BooleanSupplier writerAlive;
    private final Path dataDir;

    public Readiness(BooleanSupplier writerAlive, Path dataDir) {
        this.writerAlive = writerAlive;
        this.dataDir = dataDir;
    }

    public Report check() {
        Map<String, Object> checks = new LinkedHashMap<>();
        boolean alive = writerAlive.getAsBoolean();
        checks.put("journalWriter", alive ? "running" : "stopped");
        String writable = probeWrite(dataDir);
        checks.put("dataDirectory", writable == null ? "writable" : writable);
        boolean diskOk = false;
        try {
            FileStore store = Files.getFileStore(dataDir);
            long usable = store.getUsableSpace();
            long total = store.getTotalSpace();
            diskOk = diskFreeEnough(usable, total);
            checks.put("diskFreeBytes", usable);
            checks.put("diskFreeBytesMin", diskFreeBytesMin(total));
        } catch (IOException e) {
            checks.put("diskFreeBytes", "unknown: " + e.getMessage());
        }
        return new Report(alive && writable == null && diskOk, checks);
    }

    /** The threshold for a disk of {@code totalBytes}: 1 % of it, at most 100 MiB. */
    public static long diskFreeBytesMin(long totalBytes) {
        return Math.min(DISK_FREE_BYTES_MIN, totalBytes / 100 * DISK_FREE_PERCENT_MIN);
    }

    public static boolean diskFreeEnough(long usableBytes, long totalBytes) {
        return totalBytes > 0 && usableBytes >= diskFreeBytesMin(totalBytes);
    }

    /** Null when a file could be created, written and removed in {@code dir}; else why not. */
    static String probeWrite(Path dir) {
        try {
            Path probe = Files.createTempFile(dir, ".ready-", ".probe");
            try {
                Files.write(probe, new byte[] {1});
            } finally {
                Files.delete(probe);
            }
            return null;
        } catch (IOException | SecurityException e) {
            return "not writable: " + e;
        }
    }
}
