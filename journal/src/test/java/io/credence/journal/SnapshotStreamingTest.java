package io.credence.journal;

import io.credence.charging.CatalogReader;
import io.credence.charging.ChargingEngine;
import io.credence.charging.EngineSnapshot;
import io.credence.ledger.ByteArrayDataOutput;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import static io.credence.journal.JournalTestSupport.START_MILLIS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Snapshots past the in-memory bound are checked in one pass and then streamed through a stream
 * that stops at the end of the body; the bound itself, the trailer's edge cases and the reads the
 * check reports to its pacer. The bound is lowered so small snapshots take the streaming path.
 */
class SnapshotStreamingTest {
    @TempDir
    Path dir;

    private static ChargingEngine engine() {
        ChargingEngine engine = new ChargingEngine(SnapshotStoreTest.LIMITS, CatalogReader.NONE);
        for (int seq = 1; seq <= SnapshotTest.RESERVE_EARLY; seq++) {
            assertThat(engine.apply(SnapshotTest.command(seq), START_MILLIS + seq).accepted()).isTrue();
        }
        return engine;
    }

    private static JournalTestSupport.LedgerState state(ChargingEngine engine) {
        return JournalTestSupport.LedgerState.of(SnapshotTest.ACCOUNTS, 3).apply(engine.ledger());
    }

    private static byte[] body(ChargingEngine engine) throws IOException {
        ByteArrayDataOutput out = new ByteArrayDataOutput(1 << 16);
        EngineSnapshot.write(engine, out);
        return Arrays.copyOf(out.array(), out.size());
    }

    /** A snapshot file of {@code body} with a trailer that agrees with it. */
    private static byte[] withTrailer(byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(body);
        return ByteBuffer.allocate(body.length + 12).put(body).putLong(body.length).putInt((int) crc.getValue()).array();
    }

    @Test
    void aSnapshotPastTheBoundIsStreamedAndRoundTrips() throws IOException {
        ChargingEngine original = engine();
        new SnapshotStore(dir).write(20, original);
        long size = Files.size(JournalFormat.snapshot(dir, 20));
        for (long bound : new long[] {0, size - 1, size, size + 1}) {
            ChargingEngine read = new SnapshotStore(dir, bound).read(20, SnapshotStoreTest.LIMITS, CatalogReader.NONE);
            assertThat(read).as("bound %d", bound).isNotNull();
            assertThat(state(read)).isEqualTo(state(original));
            assertThat(read.nowMillis()).isEqualTo(original.nowMillis());
        }
    }

    /** The two paths name a checksum mismatch differently: which one ran shows where the bound lies. */
    @Test
    void theBoundDecidesWhichPathReadsTheSnapshot() throws IOException {
        new SnapshotStore(dir).write(20, engine());
        Path file = JournalFormat.snapshot(dir, 20);
        long size = Files.size(file);
        JournalTestSupport.flipByte(file, size / 2, 0x08);

        Throwable inMemory = catchThrowable(() -> new SnapshotStore(dir, size).read(20, SnapshotStoreTest.LIMITS,
                CatalogReader.NONE));
        assertThat(inMemory).isInstanceOf(IOException.class).hasMessageContaining(": checksum mismatch: CRC32C of bytes 0..")
                .hasMessageNotContaining("somewhere");
        Throwable streamed = catchThrowable(() -> new SnapshotStore(dir, size - 1).read(20, SnapshotStoreTest.LIMITS,
                CatalogReader.NONE));
        assertThat(streamed).isInstanceOf(IOException.class)
                .hasMessageStartingWith(file + ": checksum mismatch: CRC32C of bytes 0..")
                .hasMessageEndingWith("; the damage is somewhere in those bytes");
    }

    @Test
    void bytesAfterTheEngineStateAreRefusedOnBothPaths() throws IOException {
        byte[] body = body(engine());
        byte[] padded = Arrays.copyOf(body, body.length + 3);
        Path file = JournalFormat.snapshot(dir, 20);
        Files.write(file, withTrailer(padded));
        for (long bound : new long[] {0, Long.MAX_VALUE}) {
            Throwable refused = catchThrowable(() -> new SnapshotStore(dir, bound).read(20, SnapshotStoreTest.LIMITS,
                    CatalogReader.NONE));
            assertThat(refused).as("bound %d", bound).isInstanceOf(IOException.class)
                    .hasMessage(file + ": 3 unread bytes after the engine state");
        }
    }

    /** A body cut short (with a trailer that agrees) ends at the body's end: the trailer is never read as state. */
    @Test
    void aShortBodyWithAMatchingTrailerEndsAtTheBodysEnd() throws IOException {
        byte[] body = body(engine());
        Path file = JournalFormat.snapshot(dir, 20);
        Files.write(file, withTrailer(Arrays.copyOf(body, body.length - 1)));
        Throwable streamed = catchThrowable(() -> new SnapshotStore(dir, 0).read(20, SnapshotStoreTest.LIMITS,
                CatalogReader.NONE));
        assertThat(streamed).isInstanceOf(IOException.class);
    }

    @Test
    void theTrailerAloneIsTheShortestSnapshotFile() throws IOException {
        Path file = JournalFormat.snapshot(dir, 1);
        Files.write(file, new byte[11]);
        assertThat(SnapshotStore.checksumDamage(file, SegmentScanner.ReadPacer.NONE))
                .isEqualTo(new SnapshotStore.Damage(0, "too short for a snapshot (11 bytes; the trailer alone is 12)"));
        for (long bound : new long[] {0, Long.MAX_VALUE}) {
            assertThat(catchThrowable(() -> new SnapshotStore(dir, bound).read(1, SnapshotStoreTest.LIMITS,
                    CatalogReader.NONE))).hasMessage(file + ": too short for a snapshot");
        }

        Files.write(file, withTrailer(new byte[0])); // 12 bytes: an empty body its trailer agrees with
        assertThat(SnapshotStore.checksumDamage(file, SegmentScanner.ReadPacer.NONE)).isNull();
        for (long bound : new long[] {0, Long.MAX_VALUE}) {
            Throwable refused = catchThrowable(() -> new SnapshotStore(dir, bound).read(1, SnapshotStoreTest.LIMITS,
                    CatalogReader.NONE));
            assertThat(refused).as("bound %d", bound).isInstanceOf(IOException.class)
                    .hasMessageNotContaining("too short");
        }
    }

    @Test
    void theChecksumPassReportsEveryBodyByteToItsPacer() throws IOException {
        ChargingEngine big = new ChargingEngine(JournalTestSupport.LIMITS, CatalogReader.NONE);
        for (int i = 0; i < 2_000; i++) {
            big.apply(JournalTestSupport.create("c-" + i, "account-with-a-long-name-" + i), START_MILLIS);
        }
        new SnapshotStore(dir).write(7, big);
        Path file = JournalFormat.snapshot(dir, 7);
        long bodyBytes = Files.size(file) - 12;
        assertThat(bodyBytes).as("more than one 64 KiB chunk").isGreaterThan(1 << 16);
        List<Integer> reads = new ArrayList<>();
        assertThat(SnapshotStore.checksumDamage(file, reads::add)).isNull();
        assertThat(reads.get(0)).isEqualTo(1 << 16);
        assertThat(reads.stream().mapToLong(Integer::longValue).sum()).isEqualTo(bodyBytes);
    }

    @Test
    void snapshotAndSegmentNumberZeroAreListed() throws IOException {
        Files.write(JournalFormat.snapshot(dir, 0), new byte[0]);
        Files.write(JournalFormat.segment(dir, 0), new byte[0]);
        assertThat(new SnapshotStore(dir).list()).containsExactly(0L);
        assertThat(Segments.list(dir)).containsExactly(0L);
    }

    // ---------------------------------------------------------------- the bounded stream itself

    private static InputStream bounded(byte[] bytes, long limit) throws ReflectiveOperationException {
        Class<?> type = Class.forName(SnapshotStore.class.getName() + "$BoundedStream");
        Constructor<?> make = type.getDeclaredConstructor(InputStream.class, long.class);
        make.setAccessible(true);
        return (InputStream) make.newInstance(new ByteArrayInputStream(bytes), limit);
    }

    private static long remaining(InputStream bounded) throws ReflectiveOperationException {
        Field remaining = bounded.getClass().getDeclaredField("remaining");
        remaining.setAccessible(true);
        return remaining.getLong(bounded);
    }

    @Test
    void theBoundedStreamStopsAtItsLimitByteByByte() throws Exception {
        InputStream in = bounded(new byte[] {0, 5, 0, 7}, 3);
        assertThat(in.read()).isZero();
        assertThat(remaining(in)).isEqualTo(2);
        assertThat(in.read()).isEqualTo(5);
        assertThat(in.read()).isZero();
        assertThat(remaining(in)).isZero();
        assertThat(in.read()).as("the limit, though the stream goes on").isEqualTo(-1);
        assertThat(in.read(new byte[4], 0, 4)).isEqualTo(-1);
        assertThat(remaining(in)).isZero();
    }

    @Test
    void theBoundedStreamStopsAtItsLimitInBlocks() throws Exception {
        InputStream in = bounded(new byte[] {1, 2, 3, 4, 5, 6}, 4);
        byte[] into = new byte[10];
        assertThat(in.read(into, 0, 3)).isEqualTo(3);
        assertThat(remaining(in)).isEqualTo(1);
        assertThat(in.read(into, 3, 7)).as("no more than the limit").isEqualTo(1);
        assertThat(Arrays.copyOf(into, 5)).containsExactly(1, 2, 3, 4, 0);
        assertThat(remaining(in)).isZero();
        assertThat(in.read(into, 0, 10)).isEqualTo(-1);
        assertThat(in.read()).isEqualTo(-1);
    }

    @Test
    void theBoundedStreamEndsWithItsSourceAndCountsOnlyWhatWasRead() throws Exception {
        InputStream in = bounded(new byte[] {9}, 5);
        assertThat(in.read()).isEqualTo(9);
        assertThat(in.read()).isEqualTo(-1);
        assertThat(remaining(in)).isEqualTo(4);
        assertThat(in.read(new byte[3], 0, 3)).isEqualTo(-1);
        assertThat(remaining(in)).isEqualTo(4);
    }
}
