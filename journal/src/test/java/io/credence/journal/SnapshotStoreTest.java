package io.credence.journal;

import io.credence.ledger.LedgerView;
import io.credence.charging.CatalogReader;
import io.credence.charging.ChargingEngine;
import io.credence.ledger.LedgerLimits;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Function;

import static io.credence.journal.JournalTestSupport.START_MILLIS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Snapshot files on their own: they round-trip, and every damaged or truncated copy is rejected
 * with an exception that recovery can catch and fall back from (never accepted, never an Error
 * such as an OutOfMemoryError from a count read out of damaged bytes).
 */
class SnapshotStoreTest {
    /** Small tables keep each read cheap; thousands of damaged copies are read below. */
    static final LedgerLimits LIMITS = new LedgerLimits(100, 16, 100, 86_400_000L, 1_000, 900_000L, 100);

    @TempDir
    Path dir;

    /** A small ledger with a bit of everything a snapshot holds. */
    private static ChargingEngine ledger() {
        ChargingEngine ledger = new ChargingEngine(LIMITS, CatalogReader.NONE);
        long t = START_MILLIS;
        for (int seq = 1; seq <= SnapshotTest.RESERVE_EARLY; seq++) {
            assertThat(ledger.apply(SnapshotTest.command(seq), t + seq).accepted()).isTrue();
        }
        ledger.apply(JournalTestSupport.reserve("r-2", "a2", "op", 700, 60_000), t + 31);
        ledger.apply(JournalTestSupport.commit("k-1", 1, 400), t + 32);
        ledger.apply(JournalTestSupport.transfer("x-fails", "a3", "a4", Long.MAX_VALUE / 2), t + 33);
        return ledger;
    }

    private static Function<LedgerView, JournalTestSupport.LedgerState> state() {
        return JournalTestSupport.LedgerState.of(SnapshotTest.ACCOUNTS, 4);
    }

    @Test
    void aSnapshotRoundTrips() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        ChargingEngine original = ledger();
        store.write(33, original);
        assertThat(store.list()).containsExactly(33L);
        ChargingEngine read = store.read(33, LIMITS, CatalogReader.NONE);
        assertThat(state().apply(read.ledger())).isEqualTo(state().apply(original.ledger()));
        assertThat(read.nowMillis()).isEqualTo(original.nowMillis());
        read.verifyInvariants();
    }

    @Test
    void listIsNewestFirstAndIgnoresOtherFiles() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        ChargingEngine ledger = ledger();
        for (long seq : List.of(5L, 120L, 33L)) {
            store.write(seq, ledger);
        }
        Files.writeString(dir.resolve("snapshot-7.snap"), "short name");
        Files.writeString(dir.resolve(JournalFormat.snapshot(dir, 9).getFileName() + ".tmp"), "half written");
        Files.writeString(dir.resolve("notes.txt"), "x");
        assertThat(store.list()).containsExactly(120L, 33L, 5L);
        store.delete(33);
        assertThat(store.list()).containsExactly(120L, 5L);
    }

    @Test
    void aBitFlipInAnyByteIsRejectedWithAnException() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        store.write(33, ledger());
        Path file = JournalFormat.snapshot(dir, 33);
        byte[] whole = Files.readAllBytes(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            for (int at = 0; at < whole.length; at++) {
                int bit = at % 8;
                // damage one byte in place and put it back: rewriting the whole file each time is slow
                channel.write(ByteBuffer.wrap(new byte[] {(byte) (whole[at] ^ (1 << bit))}), at);
                Throwable rejected = catchThrowable(() -> store.read(33, LIMITS, CatalogReader.NONE));
                assertThat(rejected).as("bit %d of byte %d of %d", bit, at, whole.length)
                        .isInstanceOfAny(IOException.class, RuntimeException.class);
                channel.write(ByteBuffer.wrap(whole, at, 1), at);
            }
        }
        assertThat(store.read(33, LIMITS, CatalogReader.NONE)).isNotNull();
    }

    /**
     * In a snapshot of an engine without sessions, the count of sessions sits 20 bytes before the
     * end (the end marker and the 12-byte trailer follow it). Damaged to nearly 2^31 it must be
     * caught by the checksum, not trusted to size an allocation.
     */
    @Test
    void aDamagedCountIsRejectedBeforeItSizesAnAllocation() throws IOException {
        ChargingEngine accountsOnly = new ChargingEngine(LIMITS, CatalogReader.NONE);
        for (int seq = 1; seq <= 5; seq++) {
            assertThat(accountsOnly.apply(SnapshotTest.command(seq), START_MILLIS).accepted()).isTrue();
        }
        SnapshotStore store = new SnapshotStore(dir);
        store.write(5, accountsOnly);
        Path file = JournalFormat.snapshot(dir, 5);
        byte[] damaged = Files.readAllBytes(file);
        assertThat(JournalFormat.getInt(damaged, damaged.length - 20)).as("the sessions count").isZero();
        JournalFormat.putInt(damaged, damaged.length - 20, 0x7FFF_FFF0);
        Files.write(file, damaged);
        Throwable rejected = catchThrowable(() -> store.read(5, LIMITS, CatalogReader.NONE));
        assertThat(rejected).isInstanceOf(IOException.class);
    }

    @Test
    void truncationsAnywhereAreRejectedWithAnException() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        store.write(33, ledger());
        Path file = JournalFormat.snapshot(dir, 33);
        byte[] whole = Files.readAllBytes(file);
        for (int length = 0; length < whole.length; length += length < 64 || length > whole.length - 64 ? 1 : 13) {
            Files.write(file, java.util.Arrays.copyOf(whole, length));
            Throwable rejected = catchThrowable(() -> store.read(33, LIMITS, CatalogReader.NONE));
            assertThat(rejected).as("cut to %d of %d bytes", length, whole.length)
                    .isInstanceOfAny(IOException.class, RuntimeException.class);
        }
        Files.write(file, whole);
        assertThat(store.read(33, LIMITS, CatalogReader.NONE)).isNotNull();
    }
}
