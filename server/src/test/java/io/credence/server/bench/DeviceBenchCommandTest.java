package io.credence.server.bench;

import io.credence.journal.JournalConfig;
import io.credence.ledger.LedgerView;
import io.credence.ledger.Ledger;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.SequenceView;
import io.credence.server.CredenceServer;
import io.credence.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code credence bench devices} against a real server: it provisions and registers its agents,
 * runs grant / report / final-report cycles over HTTP/2, and what it says was reported is exactly
 * what the server counted on the agents' report streams. No timing is asserted.
 */
class DeviceBenchCommandTest {
    private static final int AGENTS = 30;

    @TempDir
    Path dir;

    @Test
    void agentsReportAndTheServerCountsExactlyWhatWasAnswered() throws Exception {
        ServerConfig defaults = ServerConfig.defaults(dir.resolve("data"));
        try (CredenceServer server = CredenceServer.start(new ServerConfig(defaults.dataDir(), "127.0.0.1", 0, "EUR", 32,
                64, JournalConfig.DEFAULTS, LedgerLimits.DEFAULTS, null), fatal -> { throw new AssertionError(fatal); })) {
            String url = "--url=http://127.0.0.1:" + server.httpPort();
            NchfBenchCommandTest.Run run = NchfBenchCommandTest.run("bench", "devices", url, "--agents=" + AGENTS,
                    "--concurrency=10", "--connections=2", "--rate=300", "--reports=5", "--seconds=2", "--warmup=500ms");
            assertThat(run.exitCode()).as(run.err() + run.out()).isZero();
            assertThat(run.out()).contains("provisioned 30 agents")
                    .contains("non-200 0; no answer 0")
                    .containsPattern("usage reports absorbed \\(report and final report answered 200\\): [\\d,]+/s")
                    .doesNotContain("UNANSWERED").doesNotContain("STOPPED EARLY");
            long reported = run.number("octets used in answers 200 \\(all phases\\): ([\\d,]+)");
            assertThat(reported).isPositive();
            long counted = 0;
            for (int i = 0; i < AGENTS; i++) {
                String account = "bench-dev-" + i;
                String stream = "sim.bench-sim-" + i;
                counted += NchfBenchCommandTest.query(server, (LedgerView l) -> l.sequence(account, stream))
                        .map(SequenceView::total).orElse(0L);
            }
            assertThat(counted).as("every report answered 200 counted once").isEqualTo(reported);
            assertThat(NchfBenchCommandTest.query(server, LedgerView::openReservationCount))
                    .as("every cycle's final report returned its grant").isZero();
        }
    }
}
