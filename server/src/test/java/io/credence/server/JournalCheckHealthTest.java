package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.journal.JournalCheck;
import io.credence.journal.JournalConfig;
import io.credence.ledger.LedgerLimits;
import io.credence.server.SecuredServer.Client;
import io.credence.server.SecuredServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The background journal check in a real server: a byte flipped after a clean stop, in the
 * segment the shutdown snapshot covers (so start-up never reads it), shows in {@code /health}
 * as DEGRADED with file and offset, in {@code /metrics} as a gauge, and leaves the server ready.
 */
class JournalCheckHealthTest {
    @TempDir
    Path dir;

    private ServerConfig config() {
        return new ServerConfig(dir.resolve("data"), "127.0.0.1", 0, "EUR", 16, 64, JournalConfig.DEFAULTS,
                LedgerLimits.DEFAULTS, null)
                .withJournalCheck(new JournalCheck.Settings(Duration.ZERO, Duration.ofHours(24), 64L << 20));
    }

    private static CredenceServer start(ServerConfig config) throws Exception {
        return CredenceServer.start(config, fatal -> { throw new AssertionError(fatal); });
    }

    /** {@code /health} once the first journal check has completed. */
    private static JsonNode healthAfterTheCheck(Client client) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            Reply health = client.call("GET", "/health", null, null);
            assertThat(health.status()).as(health.raw()).isEqualTo(200);
            if (!health.json().path("journalCheck").path("status").asText().equals("pending")) {
                return health.json();
            }
            if (System.nanoTime() > deadline) {
                fail("no journal check completed: " + health.raw());
            }
            Thread.sleep(20);
        }
    }

    private static double sample(String exposition, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(exposition);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    @Test
    void aByteFlippedAfterACleanStopMakesHealthDegradedWithFileAndOffsetWhileTheServerStaysReady() throws Exception {
        Path data = dir.resolve("data");
        try (CredenceServer server = start(config())) {
            Client client = new Client(server.httpPort());
            for (int n = 0; n < 5; n++) {
                Reply created = client.call("POST", "/v1/accounts", null, "{\"requestId\":\"c-" + n
                        + "\",\"accountId\":\"user-" + n + "\",\"kind\":\"SUBSCRIBER\"}");
                assertThat(created.status()).as(created.raw()).isEqualTo(201);
            }
            JsonNode clean = healthAfterTheCheck(client);
            assertThat(clean.path("status").asText()).isEqualTo("UP");
            assertThat(clean.path("problems").isArray()).isTrue();
            assertThat(clean.path("problems")).isEmpty();
            assertThat(clean.path("journalCheck").path("status").asText()).isEqualTo("clean");
            assertThat(clean.path("journalCheck").path("everySeconds").asLong()).isEqualTo(86_400);
            assertThat(sample(client.call("GET", "/metrics", null, null).raw(), "credence_journal_damage")).isZero();
        } // a clean stop: snapshot 5 covers segment 1, the next run writes to segment 6

        Path segment = data.resolve("journal-00000000000000000001.log");
        assertThat(JournalDamage.files(data, "journal-")).containsExactly(segment,
                data.resolve("journal-00000000000000000006.log"));
        assertThat(JournalDamage.files(data, "snapshot-")).containsExactly(data.resolve("snapshot-00000000000000000005.snap"));
        List<Long> records = JournalDamage.recordOffsets(segment);
        long third = records.get(2);
        JournalDamage.flipByte(segment, third + 30, 0x04);

        try (CredenceServer server = start(config())) {
            assertThat(server.ledger().startReport()).as("start-up does not read segment 1")
                    .contains("snapshot 5 + 0 replayed");
            Client client = new Client(server.httpPort());
            JsonNode health = healthAfterTheCheck(client);

            assertThat(health.path("status").asText()).isEqualTo("DEGRADED");
            assertThat(health.path("problems")).hasSize(1);
            assertThat(health.path("problems").get(0).asText())
                    .startsWith("journal-damaged: " + segment + " at byte " + third + ": ").contains("checksum mismatch");
            JsonNode check = health.path("journalCheck");
            assertThat(check.path("status").asText()).isEqualTo("damaged");
            assertThat(check.path("segments").asLong()).isEqualTo(1);
            assertThat(check.path("snapshots").asLong()).isEqualTo(1);
            JsonNode damage = check.path("damage").get(0);
            assertThat(damage.path("file").asText()).isEqualTo(segment.toString());
            assertThat(damage.path("offset").asLong()).isEqualTo(third);
            assertThat(damage.path("blocksStartUp").asBoolean()).isFalse();
            assertThat(damage.path("impact").asText()).contains("snapshot 5");
            assertThat(health.path("ready").asBoolean()).isTrue();

            Reply ready = client.call("GET", "/health/ready", null, null);
            assertThat(ready.status()).as("the live state is intact: still ready").isEqualTo(200);
            String metrics = client.call("GET", "/metrics", null, null).raw();
            assertThat(sample(metrics, "credence_journal_damage")).isEqualTo(1);
            assertThat(sample(metrics, "credence_journal_check_completed_seconds"))
                    .isGreaterThan(System.currentTimeMillis() / 1000.0 - 60);
            assertThat(client.call("POST", "/v1/accounts", null,
                    "{\"requestId\":\"c-after\",\"accountId\":\"user-after\",\"kind\":\"SUBSCRIBER\"}").status())
                    .as("the ledger takes writes").isEqualTo(201);
        }
        // the remedy the impact names: the snapshot written at this stop covers more than segment 1, so it retired it
        assertThat(Files.exists(segment)).isFalse();
        try (CredenceServer server = start(config())) {
            JsonNode health = healthAfterTheCheck(new Client(server.httpPort()));
            assertThat(health.path("status").asText()).as(health.toString()).isEqualTo("UP");
            assertThat(health.path("journalCheck").path("status").asText()).isEqualTo("clean");
        }
    }
}
