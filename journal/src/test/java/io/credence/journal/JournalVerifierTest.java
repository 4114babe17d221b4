package io.credence.journal;

import io.credence.journal.JournalTestSupport.RecordOnDisk;
import io.credence.journal.JournalVerifier.Damage;
import io.credence.journal.JournalVerifier.Report;
import io.credence.journal.JournalVerifier.Scope;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.credence.journal.JournalTestSupport.START_MILLIS;
import static io.credence.journal.JournalTestSupport.applyAccepted;
import static io.credence.journal.JournalTestSupport.contents;
import static io.credence.journal.JournalTestSupport.copyDirectory;
import static io.credence.journal.JournalTestSupport.create;
import static io.credence.journal.JournalTestSupport.flipByte;
import static io.credence.journal.JournalTestSupport.moneyTotal;
import static io.credence.journal.JournalTestSupport.records;
import static io.credence.journal.JournalTestSupport.segments;
import static io.credence.journal.JournalTestSupport.snapshots;
import static io.credence.journal.JournalTestSupport.topUp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The verifier on real directories with real flipped bytes: damage start-up never reads (a
 * sealed segment behind the newest snapshot) is found with file and offset, and what it says
 * about the next start-up is what the next start-up then does.
 */
class JournalVerifierTest {
    static final long FAST = Long.MAX_VALUE;

    final JournalTestSupport support = new JournalTestSupport();

    @TempDir
    Path dir;

    @TempDir
    Path work;

    @AfterEach
    void nothingFatal() {
        assertThat(support.fatal).isEmpty();
    }

    /**
     * Twelve records with a snapshot every five, then a clean stop: snapshots 10 and 12 (the one
     * written at shutdown), segment 11 (records 11 and 12, sealed, covered by snapshot 12) and
     * segment 13 (empty, where the next run writes).
     */
    private Path cleanlyStopped() throws IOException {
        try (DurableEngine ledger = support.open(dir, JournalTestSupport.CONFIG.withSnapshotEveryRecords(5))) {
            applyAccepted(ledger, create("c-alice", "alice"));
            for (int i = 0; i < 11; i++) {
                applyAccepted(ledger, topUp("t-" + i, "alice", 10));
            }
        }
        assertThat(segments(dir)).containsExactly(JournalFormat.segment(dir, 11), JournalFormat.segment(dir, 13));
        assertThat(snapshots(dir)).containsExactly(JournalFormat.snapshot(dir, 10), JournalFormat.snapshot(dir, 12));
        assertThat(Files.size(JournalFormat.segment(dir, 13))).isZero();
        return dir;
    }

    private Path copy(Path from, String name) throws IOException {
        Path to = work.resolve(name);
        copyDirectory(from, to);
        return to;
    }

    @Test
    void aCleanlyStoppedDirectoryIsCleanInBothScopes() throws IOException {
        Path data = cleanlyStopped();

        Report all = JournalVerifier.verify(data, Scope.ALL, FAST);
        assertThat(all.clean()).as(all.damage().toString()).isTrue();
        assertThat(all.segments()).isEqualTo(2);
        assertThat(all.snapshots()).isEqualTo(2);
        assertThat(all.records()).isEqualTo(2);
        assertThat(all.files()).extracting(c -> c.file().getFileName().toString()).containsExactly(
                "journal-00000000000000000011.log", "journal-00000000000000000013.log",
                "snapshot-00000000000000000010.snap", "snapshot-00000000000000000012.snap");
        assertThat(all.files().get(0).outcome()).isEqualTo("records 11..12");
        assertThat(all.summary()).endsWith(": clean");

        Report sealed = JournalVerifier.verify(data, Scope.SEALED, FAST);
        assertThat(sealed.clean()).isTrue();
        assertThat(sealed.segments()).as("the segment being written is left out").isEqualTo(1);
        assertThat(sealed.notes()).anyMatch(n -> n.contains("journal-00000000000000000013.log is being written"));
    }

    /**
     * The fault: after a clean stop, any byte flipped in segment 11 (behind snapshot 12) leaves
     * start-up undisturbed, so only the verifier can see it. For every byte of the segment it
     * names the file and the offset of the record the byte belongs to.
     */
    @Test
    void anyByteFlippedInASealedSegmentBehindTheSnapshotIsFoundWithFileAndRecordOffset() throws IOException {
        Path data = cleanlyStopped();
        Path segment = JournalFormat.segment(data, 11);
        List<RecordOnDisk> inSegment = records(segment);
        long size = Files.size(segment);
        for (long at = 0; at < size; at++) {
            Path damaged = copy(data, "flip-" + at);
            Path file = JournalFormat.segment(damaged, 11);
            flipByte(file, at, at % 2 == 0 ? 0x01 : 0x80);
            long byteAt = at;
            RecordOnDisk holder = inSegment.stream().filter(r -> r.offset() <= byteAt && byteAt < r.end()).findFirst()
                    .orElseThrow();

            Report report = JournalVerifier.verify(damaged, Scope.SEALED, FAST);

            assertThat(report.damage()).as("flip at byte %d", at).hasSize(1);
            Damage damage = report.damage().get(0);
            assertThat(damage.file()).isEqualTo(file);
            assertThat(damage.offset()).as("flip at byte %d", at).isEqualTo(holder.offset());
            assertThat(damage.problem()).isNotBlank();
            assertThat(damage.blocksStartUp()).isFalse();
            assertThat(damage.impact()).contains("snapshot 12");
            assertThat(damage.describe()).startsWith(file + " at byte " + holder.offset() + ": ");
        }

        // what start-up does with it: nothing, the state comes from snapshot 12
        Path latent = copy(data, "latent");
        flipByte(JournalFormat.segment(latent, 11), inSegment.get(1).offset() + 30, 0x04);
        try (DurableEngine ledger = support.open(latent)) {
            assertThat(moneyTotal(ledger, "alice")).isEqualTo(110);
        }
        assertThat(JournalVerifier.verify(latent, Scope.ALL, FAST).damage()).singleElement()
                .satisfies(d -> assertThat(d.problem()).contains("checksum mismatch"));
    }

    /**
     * A damaged newest snapshot is found (at its trailer, since its checksum covers the whole
     * body); start-up would fall back to snapshot 10 and then needs segment 11, so damage there
     * now blocks start-up, and start-up does refuse.
     */
    @Test
    void aDamagedSnapshotIsFoundAndTheSegmentItExposesIsSaidToBlockStartUp() throws IOException {
        Path data = cleanlyStopped();
        Path snapshotOnly = copy(data, "snapshot-only");
        Path snapshot = JournalFormat.snapshot(snapshotOnly, 12);
        long snapshotSize = Files.size(snapshot);
        flipByte(snapshot, snapshotSize / 2, 0x10);

        Report report = JournalVerifier.verify(snapshotOnly, Scope.SEALED, FAST);

        assertThat(report.damage()).singleElement().satisfies(d -> {
            assertThat(d.file()).isEqualTo(snapshot);
            assertThat(d.offset()).isEqualTo(snapshotSize - 12);
            assertThat(d.problem()).contains("checksum mismatch");
            assertThat(d.blocksStartUp()).isFalse();
            assertThat(d.impact()).contains("sets this snapshot aside");
        });
        try (DurableEngine ledger = support.open(snapshotOnly)) {
            assertThat(ledger.recovery().snapshotSeq()).as("the fall-back the verifier foresaw").isEqualTo(10);
        }

        Path both = copy(data, "both");
        flipByte(JournalFormat.snapshot(both, 12), snapshotSize / 2, 0x10);
        Path segment = JournalFormat.segment(both, 11);
        long lastRecord = records(segment).get(1).offset();
        flipByte(segment, lastRecord + 20, 0x01);
        Map<String, byte[]> before = contents(both);

        Report worse = JournalVerifier.verify(both, Scope.SEALED, FAST);

        assertThat(worse.damage()).hasSize(2);
        Damage inSegment = worse.damage().stream().filter(d -> d.file().equals(segment)).findFirst().orElseThrow();
        assertThat(inSegment.offset()).isEqualTo(lastRecord);
        assertThat(inSegment.problem()).contains("checksum mismatch").contains("sealed segment");
        assertThat(inSegment.blocksStartUp()).isTrue();
        assertThat(contents(both)).as("the verifier changed nothing").usingRecursiveComparison().isEqualTo(before);
        assertThatThrownBy(() -> support.open(both)).as("the refusal the verifier foresaw")
                .isInstanceOf(JournalCorruptException.class).hasMessageContaining(segment.toString());
    }

    /** A trailer that gives the wrong body length, and a snapshot cut short. */
    @Test
    void snapshotTrailerDamageIsNamed() throws IOException {
        Path data = cleanlyStopped();
        Path snapshot = JournalFormat.snapshot(data, 10);
        long size = Files.size(snapshot);
        flipByte(snapshot, size - 12 + 7, 0x02);
        assertThat(JournalVerifier.verify(data, Scope.ALL, FAST).damage()).singleElement().satisfies(d -> {
            assertThat(d.file()).isEqualTo(snapshot);
            assertThat(d.offset()).isEqualTo(size - 12);
            assertThat(d.problem()).contains("trailer gives the body as");
            assertThat(d.impact()).contains("older snapshot");
        });
        Files.write(snapshot, new byte[] {1, 2, 3});
        assertThat(JournalVerifier.verify(data, Scope.ALL, FAST).damage()).singleElement()
                .satisfies(d -> assertThat(d.problem()).contains("too short"));
    }

    /**
     * Segments must join up: a sealed segment cut at a record boundary ends before the next one
     * starts. And a lost segment the next start-up needs (newest snapshot damaged) is named too.
     */
    @Test
    void segmentsThatDoNotJoinUpAndRecordsStartUpWouldMissAreDamage() throws IOException {
        Path data = cleanlyStopped();
        Path cut = copy(data, "cut");
        Path segment = JournalFormat.segment(cut, 11);
        JournalTestSupport.truncate(segment, records(segment).get(1).offset());
        assertThat(JournalVerifier.verify(cut, Scope.SEALED, FAST).damage()).singleElement().satisfies(d -> {
            assertThat(d.file()).isEqualTo(segment);
            assertThat(d.offset()).isEqualTo(Files.size(segment));
            assertThat(d.problem()).contains("ends at record 11 but the next one starts at record 13")
                    .contains("records 12..12 are missing");
        });

        Path lost = copy(data, "lost");
        Files.delete(JournalFormat.segment(lost, 11));
        assertThat(JournalVerifier.verify(lost, Scope.SEALED, FAST).clean())
                .as("a segment behind the newest snapshot may be gone: start-up does not need it").isTrue();
        Files.write(JournalFormat.snapshot(lost, 12), new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9});
        Report report = JournalVerifier.verify(lost, Scope.SEALED, FAST);
        assertThat(report.damage()).filteredOn(Damage::blocksStartUp).singleElement().satisfies(d -> {
            assertThat(d.file()).isEqualTo(JournalFormat.segment(lost, 13));
            assertThat(d.problem()).contains("start-up needs record 11 (after snapshot 10");
        });
        assertThatThrownBy(() -> support.open(lost)).isInstanceOf(JournalCorruptException.class);
    }

    /**
     * In the offline scope the newest segment is read too; a torn tail there is what start-up
     * cuts, so it is a note, while a bad record followed by valid ones is damage that blocks it.
     */
    @Test
    void theNewestSegmentsTornTailIsANoteButMidFileDamageThereBlocksStartUp() throws IOException {
        Path image;
        try (DurableEngine ledger = support.open(dir)) {
            applyAccepted(ledger, create("c-alice", "alice"));
            for (int i = 0; i < 4; i++) {
                applyAccepted(ledger, topUp("t-" + i, "alice", 10));
            }
            image = JournalTestSupport.crashImage(ledger, dir, work.resolve("image"));
        }
        Path segment = JournalFormat.segment(image, 1);
        List<RecordOnDisk> all = records(segment);
        Path torn = copy(image, "torn");
        JournalTestSupport.truncate(JournalFormat.segment(torn, 1), all.get(4).offset() + 9);
        Report tornReport = JournalVerifier.verify(torn, Scope.ALL, FAST);
        assertThat(tornReport.clean()).isTrue();
        assertThat(tornReport.notes()).anyMatch(n -> n.contains("torn tail of 9 bytes at byte " + all.get(4).offset()));

        flipByte(segment, all.get(1).offset() + 25, 0x01);
        Report damaged = JournalVerifier.verify(image, Scope.ALL, FAST);
        assertThat(damaged.damage()).singleElement().satisfies(d -> {
            assertThat(d.offset()).isEqualTo(all.get(1).offset());
            assertThat(d.problem()).contains("checksum mismatch").contains("followed by a valid one at byte "
                    + all.get(2).offset());
            assertThat(d.blocksStartUp()).isTrue();
        });
        assertThat(JournalVerifier.verify(image, Scope.SEALED, FAST).clean())
                .as("beside a writer the newest segment is left alone").isTrue();
    }

    /**
     * Beside a live writer that snapshots every 3 records (so segments roll and snapshots and
     * segments are deleted all the time, often while being read), repeated verifications for a
     * few seconds never report damage and never hold the writer up. A directory is not listed
     * atomically: a listing can miss a new snapshot, or snapshots can vanish before they are
     * read, and a verdict on "records start-up needs" drawn from that would be a false alarm.
     */
    @Test
    void verifyingBesideARunningWriterFindsNoDamageAndTakesNoLock() throws Exception {
        JournalConfig rolling = new JournalConfig(1024, 64, 4096, 3, 2, false); // no fsync: many rolls a second
        try (DurableEngine ledger = support.open(dir, rolling)) {
            applyAccepted(ledger, create("c-alice", "alice"));
            AtomicBoolean done = new AtomicBoolean();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            CompletableFuture<Integer> writes = CompletableFuture.supplyAsync(() -> {
                int n = 0;
                try {
                    while (System.nanoTime() < until) {
                        applyAccepted(ledger, topUp("t-" + n++, "alice", 1));
                    }
                } finally {
                    done.set(true);
                }
                return n;
            });
            int runs = 0;
            int whileRolling = 0;
            while (!done.get() || runs < 2) {
                for (Scope scope : Scope.values()) {
                    Report report = JournalVerifier.verify(dir, scope, FAST);
                    assertThat(report.damage()).as("%s run %d: %s", scope, runs, report.notes()).isEmpty();
                    whileRolling += report.notes().stream().anyMatch(n -> n.contains("during the verification")) ? 1 : 0;
                }
                runs++;
            }
            int written = writes.get(30, TimeUnit.SECONDS);
            assertThat(moneyTotal(ledger, "alice")).isEqualTo(written);
            assertThat(runs).isGreaterThan(2);
            assertThat(whileRolling).as("runs that overlapped a snapshot").isPositive();
        }
    }

    /** The rate bound holds: 3 MiB at 8 MiB/s takes at least the better part of 375 ms. */
    @Test
    void readsAreHeldToTheRateAsked() throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        for (long seq = 1; file.size() < 3 << 20; seq++) {
            file.write(ScannerContractTest.record(seq, START_MILLIS, ScannerContractTest.payload(seq, 50_000)));
        }
        Files.write(JournalFormat.segment(dir, 1), file.toByteArray());

        long started = System.nanoTime();
        Report paced = JournalVerifier.verify(dir, Scope.ALL, 8L << 20);
        long pacedMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(paced.clean()).isTrue();
        assertThat(paced.bytes()).isGreaterThanOrEqualTo(3 << 20);
        assertThat(pacedMillis).as("3 MiB at 8 MiB/s").isGreaterThanOrEqualTo(330);
    }
}
