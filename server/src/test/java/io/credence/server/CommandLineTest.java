package io.credence.server;

import io.credence.journal.JournalConfig;
import io.credence.ledger.LedgerLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line: bad options are named, client commands work against a real server, the demo runs. */
class CommandLineTest {
    record Run(int exitCode, String out, String err) {}

    @TempDir
    Path dir;

    @Test
    void badOptionsAreNamedAndExitWithTwo() throws Exception {
        Run unit = run("topup", "alice", "--unit", "GOLD", "--amount", "5");
        assertThat(unit.exitCode()).isEqualTo(2);
        assertThat(unit.err()).contains("--unit").contains("GOLD").contains("Try 'credence topup --help'");

        Run amount = run("topup", "alice", "--unit", "MONEY", "--amount", "-5");
        assertThat(amount.exitCode()).isEqualTo(2);
        assertThat(amount.err()).contains("--amount must be > 0");

        Run missing = run("topup", "alice", "--amount", "5");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("--unit");

        Run badId = run("account", "create", "x".repeat(65));
        assertThat(badId.exitCode()).isEqualTo(2);
        assertThat(badId.err()).contains("ACCOUNT_ID must be at most 64 characters");

        Run port = run("serve", "--http-port", "70000", "--data", dir.toString());
        assertThat(port.exitCode()).isEqualTo(2);
        assertThat(port.err()).contains("--http-port must be 0..65535");

        java.nio.file.Path badCatalog = dir.resolve("bad-catalog.json");
        java.nio.file.Files.writeString(badCatalog, "{\n  \"version\": \"1\",\n  \"zone\": \"Nowhere/Here\"\n}\n");
        Run catalog = run("serve", "--data", dir.toString(), "--http-port", "0", "--catalog", badCatalog.toString());
        assertThat(catalog.exitCode()).isEqualTo(2);
        assertThat(catalog.err()).contains("--catalog refused: " + badCatalog + ":");

        for (String[] bad : new String[][] {
                {"--diameter-port", "70000", "--diameter-port must be -1..65535"},
                {"--default-quota", "10=LITRES:5", "--default-quota must be RG=UNIT:AMOUNT"},
                {"--diameter-peer", "bad host!", "--diameter-peer must be an Origin-Host"},
                {"--diameter-watchdog-seconds", "1", "--diameter-watchdog-seconds must be >= 6"},
                {"--diameter-tls-keystore", "x.p12", "--diameter-tls-keystore and --diameter-tls-password go together"},
                {"--redirect-url", "ftp://x", "--redirect-url must be an http(s) URL"},
                {"--records-db", "mysql://db/credence", "--records-db must be a jdbc:postgresql://host:port/database URL"},
                {"--records-db-user", "credence", "--records-db-user needs --records-db"},
                {"--market-unit-rate", "gold=5", "--market-unit-rate: 'gold' is not a unit kind"},
                {"--market-unit-rate", "data-pack=0", "--market-unit-rate data-pack must be 1..1000000000"}}) {
            Run diameter = run("serve", "--data", dir.toString(), "--http-port", "0", bad[0], bad[1]);
            assertThat(diameter.exitCode()).as(bad[0]).isEqualTo(2);
            assertThat(diameter.err()).contains(bad[2]);
        }

        Run server = run("account", "show", "alice", "--server", "ftp://example");
        assertThat(server.exitCode()).isEqualTo(2);
        assertThat(server.err()).contains("--server must be an http:// URL");
    }

    @Test
    void clientCommandsDriveARunningServer() throws Exception {
        ServerConfig config = new ServerConfig(dir.resolve("data"), "127.0.0.1", 0, "EUR", 8, 64,
                JournalConfig.DEFAULTS, LedgerLimits.DEFAULTS, null);
        try (CredenceServer server = CredenceServer.start(config, fatal -> { throw new AssertionError(fatal); })) {
            String url = "--server=http://127.0.0.1:" + server.httpPort();
            assertThat(run("account", "create", "alice", "--kind", "subscriber", "--credit-limit", "MONEY=500", url)
                    .exitCode()).isZero();
            assertThat(run("topup", "alice", "--unit", "MONEY", "--amount", "2000", "--request-id", "t1", url)
                    .exitCode()).isZero();
            assertThat(run("topup", "alice", "--unit", "MONEY", "--amount", "2000", "--request-id", "t1", url)
                    .exitCode()).as("a repeated request id is answered, not applied twice").isZero();
            assertThat(run("topup", "alice", "--unit", "BYTES", "--amount", "1000", "--valid-until",
                    "2999-01-01T00:00:00Z", "--rating-group", "10", url).exitCode()).isZero();

            Run show = run("account", "show", "alice", url);
            assertThat(show.exitCode()).isZero();
            assertThat(show.out()).contains("\"total\" : 2000").contains("\"ratingGroups\" : [ 10 ]");

            Run refused = run("account", "create", "alice", url);
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.err()).contains("HTTP 409").contains("already exists");
        }
        Run unreachable = run("account", "show", "alice", "--server=http://127.0.0.1:1");
        assertThat(unreachable.exitCode()).isEqualTo(3);
        assertThat(unreachable.err()).contains("cannot reach the server");
    }

    @Test
    void theDemoTellsItsStoryAndExitsZero() {
        Run demo = run("demo");
        assertThat(demo.exitCode()).as(demo.err()).isZero();
        assertThat(demo.out()).contains("committed 42,000,000 B, released 58,000,000 B")
                .contains("same answer: true")
                .contains("HTTP 422")
                .contains("scscf.demo.operator;call;1 FREE rule 'VoLTE to VoLTE is free': 60 SECONDS, price 0")
                .contains("scscf.demo.operator;call;1 FREE rule 'VoLTE to VoLTE is free': 15 SECONDS, price 0")
                .contains("CCA Result-Code 4010")
                .contains("Demo finished.");
    }

    @Test
    void theMarketDemoRunsBothFlowsAndProvesAContract() {
        Run demo = run("demo", "market");
        assertThat(demo.exitCode()).as(demo.out() + demo.err()).isZero();
        assertThat(demo.out()).contains("bob picks erin-offer")
                .containsPattern("contract personal-1 signed by bob and erin, fee 450: EFFECTIVE, co-signed by \\[")
                .contains("bs-1 allocates the relay resource for personal-1")
                .contains("telco's monthly batch settles 1 contract(s), 600 in all")
                .contains("telco  money 99,400 (escrowed 0)")
                .containsPattern("contract personal-1 is entry \\d+: inclusion proof of \\d+ nodes verified")
                .contains("Market demo finished.");
    }

    @Test
    void aDeviceSimulationEndsWithReportedUsageEqualToMeteredUsage() {
        Run sim = run("sim", "devices", "--count", "5", "--duration", "2s", "--interval-ms", "100");
        assertThat(sim.exitCode()).as(sim.out() + sim.err()).isZero();
        assertThat(sim.out()).containsPattern("metered by the agents [1-9][0-9,]* bytes, reported to the server [1-9]")
                .contains("MATCH: reported usage equals metered usage for all 5 agents");
    }

    @Test
    void aDeviceSimulationRefusesBadOptionsNamingThem() {
        Run zero = run("sim", "devices", "--count", "0");
        assertThat(zero.exitCode()).isEqualTo(2);
        assertThat(zero.err()).contains("--count must be 1..10000, was 0");
        Run remote = run("sim", "devices", "--server", "http://127.0.0.1:9");
        assertThat(remote.exitCode()).isEqualTo(2);
        assertThat(remote.err()).contains("--device-key is needed with --server");
    }

    /** Runs the command line as {@code main} would, capturing what it prints. */
    static Run run(String... args) {
        CommandLineRunner.Run run = CommandLineRunner.run(args);
        return new Run(run.exitCode(), run.out(), run.err());
    }
}
