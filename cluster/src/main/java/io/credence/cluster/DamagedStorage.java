package io.credence.cluster;

import org.apache.ratis.util.MD5FileUtil;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A replica's Raft storage that does not read back: a snapshot whose MD5 does not match, or a log
 * entry whose checksum does not (Ratis refuses to start on it). The node never applies such bytes:
 * it sets its log and snapshots aside, keeps its term and vote (so it cannot vote twice in a term),
 * and starts empty; the leader then sends it its snapshot and the log after it. This is what an
 * operator would do by hand with a replaced disk, and it is safe while the others hold a majority
 * of intact copies, which a single damaged node leaves them.
 */
final class DamagedStorage {
    private static final System.Logger LOG = System.getLogger(DamagedStorage.class.getName());
    private static final Pattern SNAPSHOT = Pattern.compile("snapshot\\.\\d+_\\d+");

    private DamagedStorage() {}

    /** The snapshots of a group directory whose bytes do not match their MD5 (empty when none, or no group yet). */
    static List<String> damagedSnapshots(Path groupDir) throws IOException {
        Path sm = groupDir.resolve("sm");
        List<String> damaged = new ArrayList<>();
        if (!Files.isDirectory(sm)) {
            return damaged;
        }
        try (Stream<Path> files = Files.list(sm)) {
            for (Path file : files.filter(p -> SNAPSHOT.matcher(p.getFileName().toString()).matches()).toList()) {
                File md5 = MD5FileUtil.getDigestFileForFile(file.toFile());
                if (!md5.exists()) {
                    // killed between writing the snapshot and its MD5: never registered, and the log
                    // it would let Ratis purge is still there, so only the file goes
                    Path aside = groupDir.resolveSibling("damaged-" + System.currentTimeMillis() + "-" + file.getFileName());
                    Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
                    LOG.log(System.Logger.Level.WARNING, file + " has no MD5 (a snapshot cut short): moved to " + aside);
                    continue;
                }
                try {
                    // verifySavedMD5 compares the stored digest with the one given: compute it from the bytes
                    MD5FileUtil.verifySavedMD5(file.toFile(), MD5FileUtil.computeMd5ForFile(file.toFile()));
                } catch (IOException mismatch) {
                    damaged.add(file.getFileName() + ": " + mismatch.getMessage());
                }
            }
        }
        return damaged;
    }

    /** Whether a start-up failure is Ratis finding a log entry that does not match its checksum. */
    static boolean isLogDamage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String name = t.getClass().getSimpleName();
            if (name.contains("Checksum") || name.contains("Corrupt")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Moves the group's log segments and snapshots to {@code storageDir/damaged-<millis>/} (kept
     * for the operator, not deleted), leaving its term, vote and membership files in place.
     */
    static Path setAside(Path storageDir, Path groupDir, List<String> why) throws IOException {
        Path aside = storageDir.resolve("damaged-" + System.currentTimeMillis());
        Files.createDirectories(aside.resolve("current"));
        Files.createDirectories(aside.resolve("sm"));
        moveMatching(groupDir.resolve("current"), aside.resolve("current"), "log_");
        moveMatching(groupDir.resolve("sm"), aside.resolve("sm"), "");
        Files.writeString(aside.resolve("WHY"), String.join("\n", why) + "\n");
        LOG.log(System.Logger.Level.ERROR, "raft storage damaged (" + String.join("; ", why) + "): log and snapshots"
                + " moved to " + aside + "; this node takes the state from the others");
        return aside;
    }

    private static void moveMatching(Path from, Path to, String prefix) throws IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                Files.move(file, to.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE);
            }
        }
    }
}
