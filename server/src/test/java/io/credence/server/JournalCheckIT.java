package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The fault end to end, with real processes: {@code credence serve} stops cleanly (SIGTERM,
 * snapshot at shutdown), a byte rots in the segment that snapshot covers, and the next start
 * goes fine without reading it. The offline {@code credence ledger verify --journal} finds it
 * (also while the server runs on the directory), and the restarted server's background check
 * logs it and shows it in {@code /health} with its default settings (a check at start-up).
 */
class JournalCheckIT {
    @TempDir
    Path dir;

    @Test
    void rotAfterACleanStopIsFoundOfflineInTheLogAndOnHealthWhileTheServerServes() throws Exception {
        Path data = dir.resolve("data");
        Path log = dir.resolve("server.log");
        try (ServerProcess server = ServerProcess.start(data, log)) {
            Http http = new Http(server.port);
            for (int n = 0; n < 8; n++) {
                assertThat(http.post("v1/accounts", "{\"requestId\":\"c-" + n + "\",\"accountId\":\"sub-" + n
                        + "\",\"kind\":\"SUBSCRIBER\"}").status()).isEqualTo(201);
            }
            server.stop(); // SIGTERM: the shutdown hook writes a snapshot and starts the next segment
        }
        List<Path> segments = JournalDamage.files(data, "journal-");
        List<Path> snapshots = JournalDamage.files(data, "snapshot-");
        assertThat(segments).hasSize(2);
        assertThat(snapshots).hasSize(1);
        Path sealed = segments.get(0);
        assertThat(Files.size(segments.get(1))).as("the segment the next run writes to").isZero();

        CommandLineRunner.Run clean = CommandLineRunner.run("ledger", "verify", "--journal", data.toString());
        assertThat(clean.exitCode()).as(clean.out() + clean.err()).isZero();

        List<Long> records = JournalDamage.recordOffsets(sealed);
        long damaged = records.get(records.size() / 2);
        JournalDamage.flipByte(sealed, damaged + 28, 0x10);
        CommandLineRunner.Run offline = CommandLineRunner.run("ledger", "verify", "--journal", data.toString());
        assertThat(offline.exitCode()).as(offline.out() + offline.err()).isEqualTo(1);
        assertThat(offline.out()).contains("DAMAGE: " + sealed + " at byte " + damaged + ": ");

        try (ServerProcess server = ServerProcess.start(data, log)) {
            assertThat(server.stdout.get(0)).as("start-up does not read the damaged segment").contains("+ 0 replayed");
            Http http = new Http(server.port);
            JsonNode health = healthOnceChecked(http);
            assertThat(health.path("status").asText()).isEqualTo("DEGRADED");
            assertThat(health.path("problems").get(0).asText()).startsWith("journal-damaged: " + sealed + " at byte "
                    + damaged + ": ");
            assertThat(health.path("journalCheck").path("damage").get(0).path("offset").asLong()).isEqualTo(damaged);
            assertThat(http.get("health/ready").status()).isEqualTo(200);
            assertThat(metrics(server.port)).containsPattern("(?m)^credence_journal_damage 1$");
            assertThat(Files.readString(log)).contains("WARNING io.credence.journal.JournalCheck: journal check: DAMAGE in "
                    + sealed + " at byte " + damaged + ": ");

            // the server holds the data directory's LOCK; the offline check needs none
            CommandLineRunner.Run beside = CommandLineRunner.run("ledger", "verify", "--journal", data.toString());
            assertThat(beside.exitCode()).as(beside.out() + beside.err()).isEqualTo(1);
            assertThat(beside.out()).contains("DAMAGE: " + sealed + " at byte " + damaged + ": ");
            assertThat(http.post("v1/accounts", "{\"requestId\":\"c-late\",\"accountId\":\"sub-late\","
                    + "\"kind\":\"SUBSCRIBER\"}").status()).as("the server serves on").isEqualTo(201);
            server.stop();
        }
    }

    private static String metrics(int port) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    private static JsonNode healthOnceChecked(Http http) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            Http.Reply health = http.get("health");
            assertThat(health.status()).isEqualTo(200);
            if (!health.body().path("journalCheck").path("status").asText().equals("pending")) {
                return health.body();
            }
            Thread.sleep(50);
        }
        return fail("no journal check completed within 20 s");
    }
}
