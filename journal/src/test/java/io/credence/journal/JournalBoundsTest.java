package io.credence.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Every bound checked when a value is made, at, just inside and just outside it, with the message
 * naming what was wrong; the read-rate pacer; the holder written into and read back from LOCK.
 */
class JournalBoundsTest {
    @TempDir
    Path dir;

    @Test
    void theSmallestAndLargestConfigurationsAreValid() {
        JournalConfig smallest = new JournalConfig(1, 1, 256, 0, 1, false);
        assertThat(smallest.queueMax()).isEqualTo(1);
        assertThat(smallest.batchMax()).isEqualTo(1);
        JournalConfig largest = new JournalConfig(Integer.MAX_VALUE, Integer.MAX_VALUE, JournalFormat.RECORD_BYTES_MAX,
                Long.MAX_VALUE, Long.MAX_VALUE, true);
        assertThat(largest.recordBytesMax()).isEqualTo(1 << 20);
    }

    @Test
    void eachBoundIsNamedWhenBroken() {
        assertThatThrownBy(() -> new JournalConfig(0, 1, 4096, 0, 1, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("need 1 <= batchMax <= queueMax, got 1, 0");
        assertThatThrownBy(() -> new JournalConfig(4, 0, 4096, 0, 1, true))
                .hasMessage("need 1 <= batchMax <= queueMax, got 0, 4");
        assertThatThrownBy(() -> new JournalConfig(4, 5, 4096, 0, 1, true))
                .hasMessage("need 1 <= batchMax <= queueMax, got 5, 4");
        assertThat(new JournalConfig(4, 4, 4096, 0, 1, true).batchMax()).isEqualTo(4);
        assertThatThrownBy(() -> new JournalConfig(4, 4, 255, 0, 1, true))
                .hasMessage("recordBytesMax must be in 256..1048576, was 255");
        assertThatThrownBy(() -> new JournalConfig(4, 4, (1 << 20) + 1, 0, 1, true))
                .hasMessage("recordBytesMax must be in 256..1048576, was 1048577");
        assertThatThrownBy(() -> new JournalConfig(4, 4, 4096, -1, 1, true))
                .hasMessage("snapshotEveryRecords >= 0 and idleTickMillis >= 1 required");
        assertThatThrownBy(() -> new JournalConfig(4, 4, 4096, 0, 0, true))
                .hasMessage("snapshotEveryRecords >= 0 and idleTickMillis >= 1 required");
    }

    @Test
    void aPacerNeedsAPositiveRate() {
        assertThatThrownBy(() -> new RatePacer(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bytesPerSecond must be >= 1, was 0");
        new RatePacer(1); // the slowest rate there is
    }

    /** Reads ahead of the rate wait: 100 kB at 1 MB/s take at least 100 ms, however fast the disk. */
    @Test
    void aPacerHoldsReadsToItsRate() throws Exception {
        RatePacer pacer = new RatePacer(1_000_000);
        long started = System.nanoTime();
        pacer.read(50_000);
        pacer.read(50_000);
        assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(100_000_000L);
    }

    /**
     * Whether the pacer waits, seen without a clock: an interrupted thread that has to wait is
     * stopped at once, one that is behind its rate reads on.
     */
    @Test
    void aPacerBehindItsRateDoesNotWait() throws Exception {
        RatePacer pacer = new RatePacer(1_000_000);
        Thread.sleep(20); // 20 ms pass: 1,000 bytes are due after 1 ms
        Thread.currentThread().interrupt();
        try {
            pacer.read(1_000);
            pacer.read(1_000);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        RatePacer ahead = new RatePacer(1_000);
        Thread.currentThread().interrupt();
        try {
            assertThat(catchThrowable(() -> ahead.read(1_000))).as("1,000 bytes at 1,000 B/s are due in a second")
                    .isInstanceOf(InterruptedIOException.class);
        } finally {
            Thread.interrupted();
        }
        RatePacer unbounded = new RatePacer(Long.MAX_VALUE);
        Thread.currentThread().interrupt();
        try {
            unbounded.read(Integer.MAX_VALUE);
            unbounded.read(Integer.MAX_VALUE);
        } finally {
            assertThat(Thread.interrupted()).isTrue();
        }
    }

    @Test
    void anInterruptedPacerStopsTheReadAndKeepsTheInterrupt() {
        RatePacer pacer = new RatePacer(1);
        Thread.currentThread().interrupt();
        try {
            Throwable stopped = catchThrowable(() -> pacer.read(1_000));
            assertThat(stopped).isInstanceOf(InterruptedIOException.class).hasMessage("journal verification stopped")
                    .hasCauseInstanceOf(InterruptedException.class);
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept for the caller").isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void theLockNamesItsHolderOrNoOne() throws Exception {
        Path lock = dir.resolve("LOCK");
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            assertThat(DataDirectoryInUse.holderOf(channel)).as("empty").isEqualTo(-1);
            Files.writeString(lock, "somebody\n");
            assertThat(DataDirectoryInUse.holderOf(channel)).isEqualTo(-1);
            Files.writeString(lock, "pid twelve\n");
            assertThat(DataDirectoryInUse.holderOf(channel)).isEqualTo(-1);
            Files.writeString(lock, "pid 4242\n");
            assertThat(DataDirectoryInUse.holderOf(channel)).isEqualTo(4242);
            DataDirectoryInUse.recordHolder(channel);
            assertThat(DataDirectoryInUse.holderOf(channel)).isEqualTo(ProcessHandle.current().pid());
            assertThat(Files.readString(lock, StandardCharsets.US_ASCII)).isEqualTo("pid " + ProcessHandle.current().pid() + "\n");
        }
        assertThat(new DataDirectoryInUse("in use", 77).holderPid()).isEqualTo(77);
        assertThat(new DataDirectoryInUse("in use", 77)).hasMessage("in use");
    }

    @Test
    void aCorruptionKeepsItsFileOffsetAndReasonApart() {
        JournalCorruptException e = new JournalCorruptException(Path.of("/data/journal-1.log"), 40, "checksum mismatch");
        assertThat(e.file()).isEqualTo("/data/journal-1.log");
        assertThat(e.offset()).isEqualTo(40);
        assertThat(e.reason()).isEqualTo("checksum mismatch");
        assertThat(e).hasMessage("/data/journal-1.log at byte 40: checksum mismatch");
    }

    @Test
    void aRecoveryReportDescribesItselfWithAndWithoutATornTail() {
        assertThat(new RecoveryReport(10, 5, 15, 0, null, null, 7).describe())
                .isEqualTo("recovered to record 15 (snapshot 10 + 5 replayed) in 7 ms");
        assertThat(new RecoveryReport(10, 5, 15, 3, "checksum mismatch", "/d/j.log", 7).describe())
                .isEqualTo("recovered to record 15 (snapshot 10 + 5 replayed) in 7 ms; cut a torn tail of 3 bytes from "
                        + "/d/j.log (checksum mismatch)");
    }
}
