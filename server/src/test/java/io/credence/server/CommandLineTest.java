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
                {"--diameter-tls-keystore", "x.p12", "--diameter-tls-keystore needs its password"},
                {"--http-tls-password-file", "pw", "--http-tls-password needs --http-tls-keystore"},
                {"--redirect-url", "ftp://x", "--redirect-url must be an http(s) URL"},
                {"--finished-session-retention-seconds", "0", "--finished-session-retention-seconds must be 1..86400"},
                {"--records-db", "mysql://db/credence", "--records-db must be a jdbc:postgresql://host:port/database URL"},
                {"--records-db-user", "credence", "--records-db-user needs --records-db"},
                {"--market-unit-rate", "gold=5", "--market-unit-rate: 'gold' is not a unit kind"},
                {"--market-unit-rate", "data-pack=0", "--market-unit-rate data-pack must be 1..1000000000"},
                {"--nf-instance-id", "chf-1", "--nf-instance-id must be a UUID, was 'chf-1'"},
                {"--nrf-url", "ftp://nrf:8000", "--nrf-url must be http(s)://host[:port]"},
                {"--nf-address", "10.0.0.5", "--nf-address needs --nrf-url"},
                {"--nrf-heartbeat-seconds", "0", "--nrf-heartbeat-seconds must be 1..3600"},
                {"--chf-supi-range", "00101-99", "--chf-supi-range: '00101-99' is not START-END"},
                {"--chf-plmn-range", "pattern:(", "--chf-plmn-range: '(' is not a regular expression"},
                {"--nrf-token-keys", "no-such-file.json", "--nrf-token-keys: cannot read no-such-file.json"},
                {"--quota-threshold-percent", "100", "--quota-threshold-percent must be 0..99, was 100"},
                {"--quota-holding-seconds", "-1", "--quota-holding-seconds must be 0..86400"},
                {"--nchf-failure-handling", "PANIC", "--nchf-failure-handling must be TERMINATE, CONTINUE or"},
                {"--cdr-files", "maybe", "--cdr-files must be on or off, was 'maybe'"},
                {"--cdr-node-id", "no spaces", "--cdr-node-id must be 1..32 letters, digits or '-'"},
                {"--cdr-file-max-seconds", "0", "--cdr-file-max-seconds must be 1..86400, was 0"}}) {
            Run diameter = run("serve", "--data", dir.toString(), "--http-port", "0", bad[0], bad[1]);
            assertThat(diameter.exitCode()).as(bad[0]).isEqualTo(2);
            assertThat(diameter.err()).contains(bad[2]);
        }

        // registering needs an address a consumer can be given, and a wildcard --host is none
        Run wildcard = run("serve", "--data", dir.toString(), "--http-port", "0", "--host", "0.0.0.0",
                "--api-keys", SecuredServer.keysFile(dir).toString(), "--nrf-url", "http://nrf:8000");
        assertThat(wildcard.exitCode()).isEqualTo(2);
        assertThat(wildcard.err()).contains("--nrf-url needs --nf-address: --host 0.0.0.0 listens everywhere");

        Run server = run("account", "show", "alice", "--server", "ftp://example");
        assertThat(server.exitCode()).isEqualTo(2);
        assertThat(server.err()).contains("--server must be an http:// URL");
    }

    @Test
    void aMistypedOptionOrCommandIsNamedWithWhatWasMeant() {
        Run option = run("topup", "alice", "--unit", "MONEY", "--amout", "5");
        assertThat(option.exitCode()).isEqualTo(2);
        assertThat(option.err()).startsWith("credence: unknown option '--amout' for 'credence topup'; did you mean "
                + "'--amount'?");
        Run command = run("acount", "show", "alice");
        assertThat(command.exitCode()).isEqualTo(2);
        assertThat(command.err()).startsWith("credence: unknown command 'acount'; did you mean 'account'?");
        Run sub = run("account", "shwo", "alice");
        assertThat(sub.err()).startsWith("credence: unknown command 'shwo' for 'credence account'; did you mean 'show'?");
    }

    @Test
    void startUpFailuresAreOneLineAndExitFour() throws Exception {
        ServerConfig config = new ServerConfig(dir.resolve("held"), "127.0.0.1", 0, "EUR", 8, 64,
                JournalConfig.DEFAULTS, LedgerLimits.DEFAULTS, null);
        try (CredenceServer running = CredenceServer.start(config, fatal -> { throw new AssertionError(fatal); })) {
            Run port = run("serve", "--data", dir.resolve("other").toString(), "--http-port",
                    String.valueOf(running.httpPort()), "--diameter-port", "-1");
            assertThat(port.exitCode()).isEqualTo(Main.EXIT_CANNOT_START);
            assertThat(port.err()).contains("credence: HTTP port " + running.httpPort()
                    + " on 127.0.0.1 is in use; pick another with --http-port").doesNotContain("\tat ");

            Run locked = run("serve", "--data", dir.resolve("held").toString(), "--http-port", "0", "--diameter-port",
                    "-1");
            assertThat(locked.exitCode()).isEqualTo(Main.EXIT_CANNOT_START);
            assertThat(locked.err()).contains("is in use by process " + ProcessHandle.current().pid()
                    + "; stop it, or pick another directory with --data").doesNotContain("\tat ");
        }
        java.nio.file.Files.writeString(dir.resolve("wrong-password"), "not-it\n");
        Run keyStore = run("serve", "--data", dir.resolve("tls").toString(), "--http-port", "0",
                "--http-tls-keystore", dir.resolve("missing.p12").toString(), "--http-tls-password-file",
                dir.resolve("wrong-password").toString());
        assertThat(keyStore.exitCode()).isEqualTo(2);
        assertThat(keyStore.err()).contains("--http-tls-keystore " + dir.resolve("missing.p12")
                + " cannot be used: there is no such file").doesNotContain("\tat ");
        Run both = run("serve", "--data", dir.resolve("tls").toString(), "--http-tls-keystore", "k.p12",
                "--http-tls-password", "x", "--http-tls-password-file", "pw");
        assertThat(both.err()).contains("give --http-tls-password or --http-tls-password-file, not both");
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
            assertThat(show.out()).contains("MONEY         20.00 EUR (main balance)")
                    .contains("BYTES         1,000 bytes = main 0 bytes + 1 bucket 1,000 bytes")
                    .contains("available now 1,000 bytes; of it 0 bytes for any service")
                    .contains("for rating groups 10 only, valid now until 2999-01-01T00:00:00Z");
            Run json = run("account", "show", "alice", "--json", url);
            assertThat(json.out()).contains("\"total\" : 2000").contains("\"ratingGroups\" : [ 10 ]")
                    .contains("\"validFrom\" : null").contains("\"availableToAnyService\" : 0");

            assertThat(run("topup", "alice", "--unit", "MONEY", "--amount", "12.50", url).exitCode()).isZero();
            assertThat(run("account", "show", "alice", url).out()).contains("MONEY         32.50 EUR (main balance)");
            Run tooFine = run("topup", "alice", "--unit", "MONEY", "--amount", "0.005", url);
            assertThat(tooFine.exitCode()).isEqualTo(2);
            assertThat(tooFine.err()).contains("--amount 0.005 has more decimals than EUR has (2)");
            Run halfByte = run("topup", "alice", "--unit", "BYTES", "--amount", "1.5", url);
            assertThat(halfByte.err()).contains("--amount must be > 0, a whole number of bytes, was '1.5'");

            assertThat(run("subscriber", "bind", "alice", "--msisdn", "+491700000001", "--sip-uri",
                    "sip:alice@ims.example.net", url).out()).contains("E164 491700000001 bound to alice")
                    .contains("SIP_URI sip:alice@ims.example.net bound to alice");
            assertThat(run("subscriber", "show", "--sip-uri", "sip:alice@ims.example.net", url).out())
                    .contains("SIP_URI sip:alice@ims.example.net charges alice");
            assertThat(run("subscriber", "unbind", "--msisdn", "491700000001", url).out())
                    .contains("E164 491700000001 unbound; it was bound to alice");
            Run gone = run("subscriber", "show", "--msisdn", "491700000001", url);
            assertThat(gone.exitCode()).isEqualTo(1);
            assertThat(gone.err()).contains("HTTP 404").contains("(--msisdn 491700000001)");
            Run none = run("subscriber", "bind", "alice", url);
            assertThat(none.exitCode()).isEqualTo(2);
            assertThat(none.err()).contains("name an identity: --msisdn, --imsi, --sip-uri, --nai or --private");
            assertThat(run("subscriber", "bind", "alice", "--imsi", "12ab", url).err()).contains("--imsi must be an IMSI");

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
