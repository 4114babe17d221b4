package io.credence.server;

import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;
import io.credence.records.file.RecordWriter;
import io.credence.records.file.RecordWriterConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code credence records tail|query} over a records directory the writer filled. */
class RecordsCommandTest {

    @TempDir
    Path data;

    static UsageRecord record(String id, String at, String account, String session, String service) {
        return new UsageRecord(id, Instant.parse(at).toEpochMilli(), account, "diameter", session, service, 10,
                Map.of("network", "5G"), "home", "data-eur", UsageRecord.CHARGED, Unit.BYTES, 1000, 900, 3, "EUR",
                List.of(new UsageRecord.BalanceChange(account, Unit.MONEY, -3)), List.of(id));
    }

    void write(UsageRecord... records) throws IOException {
        try (RecordWriter w = RecordWriter.open(RecordWriterConfig.defaults(data.resolve("records")))) {
            for (UsageRecord r : records) {
                w.accept(r);
            }
        }
    }

    void writeStory() throws IOException {
        write(record("r1", "2026-11-24T10:00:00Z", "alice", "s1", "data"),
                record("r2", "2026-11-24T11:00:00Z", "bob", "s2", "data"),
                record("r3", "2026-11-24T12:00:00Z", "alice", "s3", "voice"),
                record("r1", "2026-11-24T10:00:00Z", "alice", "s1", "data"),
                record("r4", "2026-11-24T13:00:00Z", "alice", "s1", "data"));
    }

    @Test
    void tailPrintsTheLastRecordsAsJsonLinesFromTheDataDirectory() throws IOException {
        writeStory();
        CommandLineTest.Run tail = run("records", "tail", "-n", "2", "--data", data.toString());
        assertThat(tail.exitCode()).as(tail.err()).isZero();
        assertThat(tail.out().lines().toList()).hasSize(2);
        assertThat(tail.out()).startsWith("{\"recordId\":\"r3\",").contains("\n{\"recordId\":\"r4\",");
        assertThat(tail.err()).isEmpty();
    }

    @Test
    void queryFiltersDeduplicatesAndPrintsATable() throws IOException {
        writeStory();
        String dir = data.resolve("records").toString();
        CommandLineTest.Run alice = run("records", "query", "--dir", dir, "--account", "alice", "--format", "table");
        assertThat(alice.exitCode()).as(alice.err()).isZero();
        List<String> rows = alice.out().lines().toList();
        assertThat(rows.getFirst()).startsWith("TIME").contains("ACCOUNT").contains("PRICE");
        assertThat(rows).hasSize(4);
        assertThat(rows.get(1)).startsWith("2026-11-24T10:00:00Z").contains("alice").contains("CHARGED").endsWith("r1");
        assertThat(rows.get(3)).endsWith("r4");

        CommandLineTest.Run window = run("records", "query", "--dir", dir, "--from", "2026-11-24T11:00:00Z", "--to", "2026-11-24T13:00:00+00:00");
        assertThat(window.out().lines().map(l -> l.substring(0, 17))).containsExactly("{\"recordId\":\"r2\",", "{\"recordId\":\"r3\",");

        CommandLineTest.Run session = run("records", "query", "--data", data.toString(), "--session", "s1", "--service", "data");
        assertThat(session.out().lines()).hasSize(2);

        CommandLineTest.Run limited = run("records", "query", "--dir", dir, "--limit", "1");
        assertThat(limited.exitCode()).isZero();
        assertThat(limited.out().lines()).hasSize(1);
        assertThat(limited.err()).contains("stopped at --limit 1");
    }

    @Test
    void aTornLineIsSkippedWithAOneLineWarning() throws IOException {
        writeStory();
        Path file;
        try (var files = Files.list(data.resolve("records"))) {
            file = files.findFirst().orElseThrow();
        }
        Files.writeString(file, "{\"recordId\":\"r5\",\"atMi", StandardOpenOption.APPEND);
        CommandLineTest.Run query = run("records", "query", "--data", data.toString());
        assertThat(query.exitCode()).isZero();
        assertThat(query.out().lines()).hasSize(4);
        assertThat(query.err()).contains("credence: skipped " + file + ":6: incomplete last line");
    }

    @Test
    void badOptionsAreNamedAndExitWithTwo() throws IOException {
        writeStory();
        String dir = data.resolve("records").toString();
        for (String[] bad : new String[][] {
                {"--from", "yesterday", "--from"},
                {"--to", "2026-11-24T10:00:00", "--to"},
                {"--format", "xml", "--format"},
                {"--limit", "0", "--limit must be >= 1"},
                {"--limit", "many", "--limit"}}) {
            CommandLineTest.Run run = run("records", "query", "--dir", dir, bad[0], bad[1]);
            assertThat(run.exitCode()).as(bad[0]).isEqualTo(2);
            assertThat(run.err()).as(bad[0]).contains(bad[2]).contains("Try 'credence records query --help'");
            assertThat(run.err().lines()).as(bad[0]).hasSize(2);
        }
        CommandLineTest.Run order = run("records", "query", "--dir", dir, "--from", "2026-11-25T00:00:00Z", "--to", "2026-11-24T00:00:00Z");
        assertThat(order.exitCode()).isEqualTo(2);
        assertThat(order.err()).contains("--from must be before --to");

        CommandLineTest.Run lines = run("records", "tail", "--dir", dir, "-n", "-1");
        assertThat(lines.exitCode()).isEqualTo(2);
        assertThat(lines.err()).contains("-n must be 0..");

        CommandLineTest.Run missing = run("records", "tail", "--dir", data.resolve("nowhere").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("--dir has no records directory");

        CommandLineTest.Run noData = run("records", "query", "--data", data.resolve("nowhere").toString());
        assertThat(noData.exitCode()).isEqualTo(2);
        assertThat(noData.err()).contains("--data has no records directory");

        CommandLineTest.Run noSubcommand = run("records");
        assertThat(noSubcommand.exitCode()).isEqualTo(2);
    }

    @Test
    void tailFollowPrintsNewRecordsUntilInterrupted() throws Exception {
        writeStory();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        AtomicInteger exit = new AtomicInteger(-1);
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            Thread follower = Thread.ofVirtual().start(() -> exit.set(Main.commandLine()
                    .execute("records", "tail", "-f", "-n", "1", "--data", data.toString())));
            awaitOutput(out, "\"recordId\":\"r4\"");
            write(record("r6", "2026-11-24T14:00:00Z", "carol", "s9", "data"));
            awaitOutput(out, "\"recordId\":\"r6\"");
            follower.interrupt();
            follower.join();
        } finally {
            System.setOut(originalOut);
        }
        assertThat(exit.get()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).lines().map(l -> l.substring(0, 17)))
                .containsExactly("{\"recordId\":\"r4\",", "{\"recordId\":\"r6\",");
    }

    /** Waits for the follower to print, without a deadline of its own: the build's timeout is the backstop. */
    private static void awaitOutput(ByteArrayOutputStream out, String text) throws InterruptedException {
        while (!out.toString(StandardCharsets.UTF_8).contains(text)) {
            Thread.sleep(10);
        }
    }

    private static CommandLineTest.Run run(String... args) {
        return CommandLineTest.run(args);
    }
}
