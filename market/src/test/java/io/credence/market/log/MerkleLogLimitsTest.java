package io.credence.market.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;

import static io.credence.market.log.LogTestSupport.CLOCK;
import static io.credence.market.log.LogTestSupport.KEY;
import static io.credence.market.log.LogTestSupport.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every bound is a value the caller sees, and start-up rejects limits that contradict each other. */
class MerkleLogLimitsTest {
    @TempDir
    Path dir;

    @Test
    void fullLogRefusesAppendsAndATooSmallLimitRefusesToOpen() throws Exception {
        LogLimits five = new LogLimits(100, 5, 8, 4);
        try (MerkleLog log = MerkleLog.open(dir, five, KEY, CLOCK)) {
            assertThat(log.append(List.of(entry("a"), entry("b"), entry("c")))).isEqualTo(new MerkleLog.Appended(0, 3));
            assertThat(log.append(List.of(entry("d"), entry("e"), entry("f")))).isInstanceOf(MerkleLog.Refused.class);
            assertThat(log.append(List.of(entry("d"), entry("e")))).isEqualTo(new MerkleLog.Appended(3, 2));
            assertThat(log.submit(entry("f"))).isEqualTo(new MerkleLog.Refused("log full: leavesMax 5 reached"));
        }
        assertThatThrownBy(() -> MerkleLog.open(dir, five.withLeavesMax(3), KEY, CLOCK))
                .isInstanceOf(IOException.class).hasMessageContaining("more than leavesMax 3");
        try (MerkleLog log = MerkleLog.open(dir, five.withLeavesMax(6), KEY, CLOCK)) {
            assertThat(log.size()).isEqualTo(5);
        }
    }

    @Test
    void entriesAndAppendsOutsideTheirBoundsAreRefused() throws Exception {
        try (MerkleLog log = MerkleLog.open(dir, new LogLimits(100, 1000, 8, 4), KEY, CLOCK)) {
            assertThat(log.submit(new byte[101])).isInstanceOf(MerkleLog.Refused.class);
            assertThat(log.submit(new byte[0])).isEqualTo(new MerkleLog.Refused("empty entry"));
            assertThat(log.append(List.of())).isInstanceOf(MerkleLog.Refused.class);
            assertThat(log.append(LogTestSupport.entries("e", 5))).isInstanceOf(MerkleLog.Refused.class);
            assertThat(log.append(List.of(entry("ok"), new byte[101]))).isInstanceOf(MerkleLog.Refused.class);
            assertThat(log.size()).isZero();
            MerkleLog.Submission accepted = log.submit(new byte[100]);
            assertThat(((MerkleLog.Accepted) accepted).index().join()).isZero();
        }
    }

    @Test
    void closedLogRefusesAndAnswersWhatWasQueued() throws Exception {
        MerkleLog log = MerkleLog.open(dir, LogTestSupport.LIMITS, KEY, CLOCK);
        List<MerkleLog.Submission> queued = LogTestSupport.entries("q", 200).stream().map(log::submit).toList();
        log.close();
        for (int i = 0; i < queued.size(); i++) {
            assertThat(((MerkleLog.Accepted) queued.get(i)).index().join()).isEqualTo(i);
        }
        assertThat(log.submit(entry("late"))).isEqualTo(new MerkleLog.Refused("log stopped: closed"));
        log.close();
        try (MerkleLog reopened = MerkleLog.open(dir, LogTestSupport.LIMITS, KEY, CLOCK)) {
            assertThat(reopened.size()).isEqualTo(200);
        }
    }

    @Test
    void aLogOpensOnlyOnceAtATime() throws Exception {
        try (MerkleLog log = MerkleLog.open(dir, LogTestSupport.LIMITS, KEY, CLOCK)) {
            assertThatThrownBy(() -> MerkleLog.open(dir, LogTestSupport.LIMITS, KEY, CLOCK))
                    .isInstanceOf(IOException.class).hasMessageContaining("already open");
            assertThat(log.size()).isZero();
        }
        MerkleLog.open(dir, LogTestSupport.LIMITS, KEY, CLOCK).close();
    }

    @Test
    void contradictoryLimitsAreRejectedAtStartUp() {
        assertThatThrownBy(() -> new LogLimits(0, 10, 10, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LogLimits(100, 0, 10, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LogLimits(100, 10, 10, 11)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LogLimits(16 * 1024 * 1024, 10, 1000, 1000)).isInstanceOf(IllegalArgumentException.class);
        assertThat(LogLimits.DEFAULTS.withQueueMax(10).batchEntriesMax()).isEqualTo(10);
    }

    @Test
    void treeHeadTimestampsNeverGoBackwards() throws Exception {
        long[] now = {5_000};
        try (MerkleLog log = MerkleLog.open(dir, LogTestSupport.LIMITS, KEY, () -> java.time.Instant.ofEpochMilli(now[0]))) {
            log.append(List.of(entry("one")));
            SignedTreeHead first = log.treeHead();
            now[0] = 1_000;
            log.append(List.of(entry("two")));
            SignedTreeHead second = log.treeHead();
            assertThat(first.timestampMillis()).isEqualTo(5_000);
            assertThat(second.timestampMillis()).isEqualTo(5_000);
            assertThat(second.size()).isEqualTo(2);
            assertThat(second.verify(log.publicKey())).isTrue();
        }
    }

    @Test
    void keyIsStoredOwnerOnlyAndRoundTrips() throws Exception {
        LogKey key = LogKey.generate(new SecureRandom());
        Path file = dir.resolve("log.key");
        key.store(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.size(file)).isEqualTo(32);
        LogKey loaded = LogKey.load(file);
        assertThat(loaded.publicKey()).isEqualTo(key.publicKey());
        byte[] message = entry("tree head");
        assertThat(LogKey.verify(key.publicKey(), message, loaded.sign(message))).isTrue();
        assertThatThrownBy(() -> key.store(file)).as("never overwritten").isInstanceOf(IOException.class);

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> LogKey.load(file)).hasMessageContaining("0600");
        assertThat(loaded.toString()).doesNotContain(java.util.HexFormat.of().formatHex(Files.readAllBytes(file)));
    }

    @Test
    void signatureCheckNeverThrowsOnGarbage() {
        byte[] message = entry("m");
        byte[] signature = KEY.sign(message);
        assertThat(LogKey.verify(KEY.publicKey(), message, signature)).isTrue();
        assertThat(LogKey.verify(null, message, signature)).isFalse();
        assertThat(LogKey.verify(new byte[31], message, signature)).isFalse();
        assertThat(LogKey.verify(KEY.publicKey(), message, new byte[63])).isFalse();
        byte[] notAPoint = new byte[32];
        java.util.Arrays.fill(notAPoint, (byte) 0xff);
        assertThat(LogKey.verify(notAPoint, message, signature)).isFalse();
        assertThat(LogKey.verify(KEY.publicKey(), entry("n"), signature)).isFalse();
    }

    @Test
    void aFailedWriteStopsTheLogAndFailsItsCallers() throws Exception {
        try (MerkleLog log = MerkleLog.open(dir, LogTestSupport.LIMITS, KEY, CLOCK)) {
            log.append(List.of(entry("durable")));
            // stands in for a disk that fails: the writer's next write meets a closed channel
            Field channel = MerkleLog.class.getDeclaredField("channel");
            channel.setAccessible(true);
            ((FileChannel) channel.get(log)).close();
            assertThatThrownBy(() -> log.append(List.of(entry("lost")))).isInstanceOf(IOException.class)
                    .hasMessageStartingWith("append failed");
            assertThat(log.submit(entry("after"))).isInstanceOfSatisfying(MerkleLog.Refused.class,
                    refused -> assertThat(refused.reason()).startsWith("log stopped: write failed"));
            assertThat(log.stopReason()).startsWith("write failed");
            assertThat(log.size()).as("nothing published that is not on disk").isEqualTo(1);
        }
        try (MerkleLog reopened = MerkleLog.open(dir, LogTestSupport.LIMITS, KEY, CLOCK)) {
            assertThat(reopened.size()).isEqualTo(1);
            assertThat(reopened.entry(0)).isEqualTo(entry("durable"));
        }
    }
}
