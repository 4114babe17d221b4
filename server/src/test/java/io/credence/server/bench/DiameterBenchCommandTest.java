package io.credence.server.bench;

import io.credence.diameter.cc.CreditControlConfig;
import io.credence.diameter.peer.LocalIdentity;
import io.credence.diameter.transport.TransportConfig;
import io.credence.journal.JournalConfig;
import io.credence.journal.Submission;
import io.credence.ledger.LedgerView;
import io.credence.ledger.Balance;
import io.credence.ledger.Ledger;
import io.credence.ledger.Unit;
import io.credence.server.CredenceServer;
import io.credence.server.DiameterSettings;
import io.credence.server.Main;
import io.credence.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code credence bench diameter} against a real server on loopback: it provisions its own
 * subscribers over HTTP, runs whole sessions, every answer is 2001, and the ledger charged
 * exactly the usage the generator reports.
 */
class DiameterBenchCommandTest {
    record Run(int exitCode, String out, String err) {
        long number(String regex) {
            Matcher m = Pattern.compile(regex).matcher(out);
            assertThat(m.find()).as("'%s' in:%n%s", regex, out).isTrue();
            return Long.parseLong(m.group(1).replace(",", ""));
        }
    }

    private static final int SUBSCRIBERS = 10;

    @TempDir
    Path dir;

    @Test
    void sessionsRunAnsweredSuccessAndTheLedgerChargedWhatTheGeneratorReports() throws Exception {
        try (CredenceServer server = CredenceServer.start(serverConfig(), fatal -> { throw new AssertionError(fatal); })) {
            String port = "--port=" + server.diameterPort();
            String http = "--http=http://127.0.0.1:" + server.httpPort();
            Run first = run("bench", "diameter", port, http, "--rate=400", "--sessions=20", "--duration=2s",
                    "--warmup=500ms", "--updates=3", "--subscribers=" + SUBSCRIBERS);
            assertThat(first.exitCode()).as(first.err() + first.out()).isZero();
            assertThat(first.out()).contains("command: credence bench diameter " + port + " " + http + " --rate=400")
                    .contains("(10 created, 10 topped up, 10 identities bound)");
            assertEveryAnswerWasSuccess(first);
            assertThat(first.number("sessions completed ([\\d,]+)")).isGreaterThan(20);
            assertThat(first.number("latency ms from due time: .*\\(([\\d,]+) answers\\)"))
                    .isEqualTo(first.number("answers by Result-Code: 2001 ([\\d,]+)"));

            Run again = run("bench", "diameter", port, http, "--rate=100", "--sessions=5", "--duration=1",
                    "--warmup=0", "--subscribers=" + SUBSCRIBERS);
            assertThat(again.exitCode()).as(again.err() + again.out()).isZero();
            assertThat(again.out()).as("provisioning finds what the first run made")
                    .contains("(0 created, 0 topped up, 0 identities bound)");
            assertEveryAnswerWasSuccess(again);

            long reported = first.number("octets used in answers 2001 \\(all phases\\): ([\\d,]+)")
                    + again.number("octets used in answers 2001 \\(all phases\\): ([\\d,]+)");
            assertThat(reported).isPositive();
            long charged = 0;
            for (int i = 0; i < SUBSCRIBERS; i++) {
                String account = "bench-49170" + String.format("%07d", i);
                Balance bytes = query(server, l -> l.account(account).orElseThrow().balances().stream()
                        .filter(b -> b.unit() == Unit.BYTES).findFirst().orElseThrow());
                assertThat(bytes.reserved()).as("the drain terminated every session of " + account).isZero();
                charged += Provisioner.BALANCE_OCTETS - bytes.total();
            }
            assertThat(charged).isEqualTo(reported);
            assertThat(query(server, LedgerView::openReservationCount)).isZero();
            query(server, l -> {
                l.verifyInvariants();
                return null;
            });

            Run stranger = run("bench", "diameter", port, "--origin-host=stranger.example", "--duration=1");
            assertThat(stranger.exitCode()).isEqualTo(Main.EXIT_REFUSED);
            assertThat(stranger.err()).contains("refused Origin-Host stranger.example with Result-Code 3010")
                    .contains("--diameter-peer stranger.example");
        }
    }

    @Test
    void badOptionsAreNamedAndExitWithTwo() {
        assertBad("--rate must be 1..1000000 CCR/s, was 0", "--rate=0");
        assertBad("--sessions must be 1..", "--sessions=0");
        assertBad("--duration must be a time such as 30, 30s, 500ms or 2m, was '5x'", "--duration=5x");
        assertBad("--duration must be more than 0", "--duration=0");
        assertBad("--warmup must be a time", "--warmup=-1");
        assertBad("--updates must be 0..1000", "--updates=1001");
        assertBad("--connections (3) must not exceed --sessions (2)", "--connections=3", "--sessions=2");
        assertBad("--msisdn-prefix must be 1..8 digits", "--msisdn-prefix=123456789");
        assertBad("--http must be an http:// URL", "--http=ftp://example");
        assertBad("--port must be 1..65535", "--port=0");
        assertBad("unknown option '--rates' for 'credence bench diameter'; did you mean '--rate'?", "--rates=5");

        Run bare = run("bench");
        assertThat(bare.exitCode()).isEqualTo(2);
        assertThat(bare.err()).contains("say which: bench diameter");
    }

    @Test
    void anUnreachableServerExitsWithThree() {
        Run unreachable = run("bench", "diameter", "--port=1", "--duration=1");
        assertThat(unreachable.exitCode()).isEqualTo(Main.EXIT_UNREACHABLE);
        assertThat(unreachable.err()).contains("cannot reach the Diameter server at 127.0.0.1:1");
    }

    private static void assertEveryAnswerWasSuccess(Run run) {
        assertThat(run.out()).contains("non-2001 0; no answer 0")
                .containsPattern("warm-up: [\\d,]+ sent, [\\d,]+ answered, non-2001 0, no answer 0")
                .containsPattern("drain: [\\d,]+ CCR-T for sessions open at the end, [\\d,]+ answered, non-2001 0, "
                        + "no answer 0")
                .doesNotContain("UNANSWERED").doesNotContain("STOPPED EARLY");
        assertThat(run.number("answers by Result-Code: 2001 ([\\d,]+)")).isEqualTo(run.number(", ([\\d,]+) sent,"));
    }

    private static void assertBad(String message, String... options) {
        String[] args = new String[options.length + 2];
        args[0] = "bench";
        args[1] = "diameter";
        System.arraycopy(options, 0, args, 2, options.length);
        Run bad = run(args);
        assertThat(bad.exitCode()).as(String.join(" ", options)).isEqualTo(2);
        assertThat(bad.err()).contains(message).contains("Try 'credence bench diameter --help'.");
    }

    private ServerConfig serverConfig() {
        ServerConfig defaults = ServerConfig.defaults(dir.resolve("data"));
        LocalIdentity ocs = new LocalIdentity("ocs.credence.test", "credence.test", List.of(new byte[] {127, 0, 0, 1}),
                0, "credence", 1);
        DiameterSettings diameter = new DiameterSettings(TransportConfig.defaults("127.0.0.1", 0), ocs,
                Set.of("bench.credence.local"), CreditControlConfig.defaults());
        return new ServerConfig(defaults.dataDir(), "127.0.0.1", 0, "EUR", 16, 64, JournalConfig.DEFAULTS,
                defaults.limits(), diameter);
    }

    private static <T> T query(CredenceServer server, Function<LedgerView, T> query) throws Exception {
        return ((Submission.Accepted<T>) server.ledger().query(query)).answer().get(10, TimeUnit.SECONDS);
    }

    private static Run run(String... args) {
        io.credence.server.CommandLineRunner.Run run = io.credence.server.CommandLineRunner.run(args);
        return new Run(run.exitCode(), run.out(), run.err());
    }
}
