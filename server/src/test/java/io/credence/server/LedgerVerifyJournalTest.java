package io.credence.server;

import io.credence.journal.DurableEngine;
import io.credence.journal.JournalConfig;
import io.credence.journal.Submission;
import io.credence.ledger.AccountKind;
import io.credence.ledger.Command;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Operation;
import io.credence.ledger.Unit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code credence ledger verify --journal DIR} on real data directories: 0 clean, 1 damaged
 * (naming file and offset), 2 on a usage error; read-only, and it runs beside an open ledger.
 */
class LedgerVerifyJournalTest {
    @TempDir
    Path dir;

    /**
     * A cleanly stopped data directory: 12 records with a snapshot every 5, so snapshots 10 and
     * 12, sealed segment 11 (records 11 and 12, behind snapshot 12) and empty segment 13.
     */
    private Path cleanlyStopped() throws Exception {
        Path data = dir.resolve("data");
        try (DurableEngine ledger = open(data)) {
            apply(ledger, new Command("c", new Operation.CreateAccount("alice", AccountKind.SUBSCRIBER, Map.of())));
            for (int i = 0; i < 11; i++) {
                apply(ledger, new Command("t-" + i, new Operation.TopUp("system", "alice", Unit.MONEY, 10, null)));
            }
        }
        return data;
    }

    private static DurableEngine open(Path data) throws Exception {
        return DurableEngine.open(data, JournalConfig.DEFAULTS.withSnapshotEveryRecords(5), LedgerLimits.DEFAULTS,
                System::currentTimeMillis, fatal -> { throw new AssertionError(fatal); });
    }

    private static void apply(DurableEngine ledger, Command command) throws Exception {
        if (!(ledger.submit(command) instanceof Submission.Accepted<?> accepted)) {
            throw new AssertionError("not accepted: " + command);
        }
        accepted.answer().get(10, TimeUnit.SECONDS);
        ledger.awaitSettled(10_000); // snapshots fall where the files below are counted
    }

    @Test
    void aCleanDirectoryVerifiesWithExitZeroAndListsEveryFile() throws Exception {
        Path data = cleanlyStopped();
        CommandLineRunner.Run run = CommandLineRunner.run("ledger", "verify", "--journal", data.toString());

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("journal-00000000000000000011.log").contains("records 11..12")
                .contains("journal-00000000000000000013.log").contains("snapshot-00000000000000000010.snap")
                .contains("snapshot-00000000000000000012.snap")
                .contains("OK: 2 segments (2 records) and 2 snapshots").doesNotContain("DAMAGE");
    }

    @Test
    void aFlippedByteBehindTheSnapshotExitsOneNamingFileAndOffsetAndChangesNothing() throws Exception {
        Path data = cleanlyStopped();
        Path segment = data.resolve("journal-00000000000000000011.log");
        long second = JournalDamage.recordOffsets(segment).get(1);
        JournalDamage.flipByte(segment, second + 26, 0x01);
        byte[] before = Files.readAllBytes(segment);
        List<Path> filesBefore = JournalDamage.files(data, "");

        CommandLineRunner.Run run = CommandLineRunner.run("ledger", "verify", "--journal", data.toString());

        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(Main.EXIT_REFUSED);
        assertThat(run.out()).contains("DAMAGED  journal-00000000000000000011.log")
                .contains("DAMAGE: " + segment + " at byte " + second + ": checksum mismatch")
                .contains("not read at start-up while snapshot 12 is intact")
                .contains("BAD: ").contains("1 damaged place")
                .contains("the next start-up does not need them");
        assertThat(Files.readAllBytes(segment)).isEqualTo(before);
        assertThat(JournalDamage.files(data, "")).isEqualTo(filesBefore);

        // damage start-up needs: the newest snapshot too, so start-up would fall back to snapshot 10 and read segment 11
        JournalDamage.flipByte(data.resolve("snapshot-00000000000000000012.snap"), 7, 0x01);
        CommandLineRunner.Run worse = CommandLineRunner.run("ledger", "verify", "--journal", data.toString());
        assertThat(worse.exitCode()).isEqualTo(Main.EXIT_REFUSED);
        assertThat(worse.out()).contains("2 damaged places").contains("the next start-up would refuse (1 of them)")
                .contains("DAMAGE: " + data.resolve("snapshot-00000000000000000012.snap") + " at byte ");
    }

    /** Beside an open ledger (the LOCK held) it reads without needing the lock, and the ledger goes on. */
    @Test
    void itRunsBesideAnOpenLedger() throws Exception {
        Path data = cleanlyStopped();
        try (DurableEngine ledger = open(data)) {
            apply(ledger, new Command("t-live", new Operation.TopUp("system", "alice", Unit.MONEY, 1, null)));
            CommandLineRunner.Run run = CommandLineRunner.run("ledger", "verify", "--journal", data.toString(),
                    "--read-mib-per-second", "64");
            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
            apply(ledger, new Command("t-after", new Operation.TopUp("system", "alice", Unit.MONEY, 1, null)));
            assertThat(ledger.writerAlive()).isTrue();
        }
    }

    @Test
    void usageErrorsExitTwoWithOneLineSayingWhy() throws Exception {
        Path data = cleanlyStopped();
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Map<List<String>, String> cases = Map.of(
                List.of("ledger", "verify"), "give one of --log PATH",
                List.of("ledger", "verify", "--journal", data.toString(), "--log", data.toString()), "give one of",
                List.of("ledger", "verify", "--journal", dir.resolve("missing").toString()), "is not a directory",
                List.of("ledger", "verify", "--journal", empty.toString()), "holds no journal segments or snapshots",
                List.of("ledger", "verify", "--journal", data.toString(), "--public-key", "AAAA"), "go with --log",
                List.of("ledger", "verify", "--journal", data.toString(), "--read-mib-per-second", "-1"), "must be >= 0");
        cases.forEach((args, why) -> {
            CommandLineRunner.Run run = CommandLineRunner.run(args.toArray(String[]::new));
            assertThat(run.exitCode()).as("%s: %s", args, run.err()).isEqualTo(2);
            assertThat(run.err()).as("%s", args).contains(why).contains("Try 'credence ledger verify --help'");
            assertThat(run.out()).as("%s", args).isEmpty();
        });
    }
}
