package io.credence.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** The journal's segment files: listing them in order and opening one to append to. */
final class Segments {
    private Segments() {}

    /** The first record numbers of the segments in {@code dir}, ascending. */
    static List<Long> list(Path dir) throws IOException {
        List<Long> seqs = new ArrayList<>();
        try (var files = Files.list(dir)) {
            files.forEach(f -> {
                long seq = JournalFormat.seqOf(f, JournalFormat.SEGMENT_PREFIX, JournalFormat.SEGMENT_SUFFIX);
                if (seq >= 0) {
                    seqs.add(seq);
                }
            });
        }
        seqs.sort(null);
        return seqs;
    }

    /** Opens (creating it durably when new) the segment starting at {@code firstSeq}, positioned at its end. */
    static FileChannel open(Path dir, long firstSeq) throws IOException {
        FileChannel channel = FileChannel.open(JournalFormat.segment(dir, firstSeq), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            channel.position(channel.size());
            SnapshotStore.forceDirectory(dir);
        } catch (IOException failed) {
            channel.close();
            throw failed;
        }
        return channel;
    }
}
