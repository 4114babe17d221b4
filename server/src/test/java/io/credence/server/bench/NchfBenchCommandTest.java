package io.credence.server.bench;

import io.credence.journal.JournalConfig;
import io.credence.journal.Submission;
import io.credence.ledger.LedgerView;
import io.credence.ledger.Balance;
import io.credence.ledger.Ledger;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Unit;
import io.credence.server.CredenceServer;
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
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code credence bench nchf} against a real server (Nchf without a Diameter listener, as
 * {@code serve --diameter-port -1} runs it): it provisions its subscribers over HTTP, runs whole
 * create/update/release sessions over HTTP/2, and its report adds up — every request sent is
 * answered 2xx, counts by status match the session shape, and the ledger charged exactly the
 * usage it reports. No timing is asserted.
 */
class NchfBenchCommandTest {
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
    void sessionsRunOverHttp2AndTheReportAddsUp() throws Exception {
        ServerConfig defaults = ServerConfig.defaults(dir.resolve("data"));
        try (CredenceServer server = CredenceServer.start(new ServerConfig(defaults.dataDir(), "127.0.0.1", 0, "EUR", 32,
                64, JournalConfig.DEFAULTS, LedgerLimits.DEFAULTS, null), fatal -> { throw new AssertionError(fatal); })) {
            String url = "--url=http://127.0.0.1:" + server.httpPort();
            String http = "--http=http://127.0.0.1:" + server.httpPort();
            Run run = run("bench", "nchf", url, http, "--rate=300", "--sessions=20", "--connections=2", "--seconds=2",
                    "--warmup=500ms", "--updates=3", "--subscribers=" + SUBSCRIBERS);
            assertThat(run.exitCode()).as(run.err() + run.out()).isZero();
            assertThat(run.out()).contains("command: credence bench nchf " + url + " " + http + " --rate=300")
                    .contains("(10 created, 10 topped up, 10 identities bound)")
                    .contains("2 HTTP/2 connection(s)")
                    .contains("non-2xx 0; no answer 0")
                    .containsPattern("warm-up: [\\d,]+ sent, [\\d,]+ answered, non-2xx 0, no answer 0")
                    .containsPattern("drain: [\\d,]+ release for sessions open at the end, [\\d,]+ answered, "
                            + "non-2xx 0, no answer 0")
                    .doesNotContain("UNANSWERED").doesNotContain("STOPPED EARLY").doesNotContain("HTTP/1.1");

            long sent = run.number(", ([\\d,]+) sent,");
            long due = run.number(": ([\\d,]+) due,");
            long missed = run.number(" sent, ([\\d,]+) missed");
            assertThat(sent + missed).isEqualTo(due);
            long created = count(run, "201");
            long updated = count(run, "200");
            long released = count(run, "204");
            assertThat(created + updated + released).as("every request sent was answered 2xx").isEqualTo(sent);
            assertThat(run.number("latency ms from due time: .*\\(([\\d,]+) answers\\)")).isEqualTo(sent);
            assertThat(run.number("sessions completed ([\\d,]+)")).isEqualTo(released).isGreaterThan(20);
            // per session one create, up to 3 updates, one release; sessions straddle the window's edges
            assertThat(updated).isBetween(3 * released - 3 * 20, 3 * created + 3 * 20);

            long reported = run.number("octets used in answers 2xx \\(all phases\\): ([\\d,]+)");
            assertThat(reported).isPositive().isEqualTo(reported / LoadPlan.USED_OCTETS * LoadPlan.USED_OCTETS);
            long charged = 0;
            for (int i = 0; i < SUBSCRIBERS; i++) {
                String account = "bench-49170" + String.format("%07d", i);
                Balance bytes = query(server, l -> l.account(account).orElseThrow().balances().stream()
                        .filter(b -> b.unit() == Unit.BYTES).findFirst().orElseThrow());
                assertThat(bytes.reserved()).as("the drain released every session of " + account).isZero();
                charged += Provisioner.BALANCE_OCTETS - bytes.total();
            }
            assertThat(charged).isEqualTo(reported);
            assertThat(query(server, LedgerView::openReservationCount)).isZero();
        }
    }

    @Test
    void badOptionsAreNamedAndAnUnreachableServerExitsWithThree() {
        assertBad("--rate must be 1..1000000 requests/s, was 0", "--rate=0");
        assertBad("--seconds must be a time above 0 such as 30, 30s, 500ms or 2m, was '5x'", "--seconds=5x");
        assertBad("--connections (3) must not exceed --sessions (2)", "--connections=3", "--sessions=2");
        assertBad("--url must be an http:// URL without a path", "--url=https://127.0.0.1:8443");
        assertBad("--http must be an http:// URL", "--http=ftp://example");

        Run unreachable = run("bench", "nchf", "--url=http://127.0.0.1:1", "--seconds=1");
        assertThat(unreachable.exitCode()).isEqualTo(Main.EXIT_UNREACHABLE);
        assertThat(unreachable.err()).contains("cannot reach the server at http://127.0.0.1:1/");
    }

    private static long count(Run run, String status) {
        Matcher m = Pattern.compile("answers by HTTP status and cause: .*\\b" + status + " ([\\d,]+)").matcher(run.out());
        return m.find() ? Long.parseLong(m.group(1).replace(",", "")) : 0;
    }

    private static void assertBad(String message, String... options) {
        String[] args = new String[options.length + 2];
        args[0] = "bench";
        args[1] = "nchf";
        System.arraycopy(options, 0, args, 2, options.length);
        Run bad = run(args);
        assertThat(bad.exitCode()).as(String.join(" ", options)).isEqualTo(2);
        assertThat(bad.err()).contains(message).contains("Try 'credence bench nchf --help'.");
    }

    static <T> T query(CredenceServer server, Function<LedgerView, T> query) throws Exception {
        return ((Submission.Accepted<T>) server.ledger().query(query)).answer().get(10, TimeUnit.SECONDS);
    }

    static Run run(String... args) {
        io.credence.server.CommandLineRunner.Run run = io.credence.server.CommandLineRunner.run(args);
        return new Run(run.exitCode(), run.out(), run.err());
    }
}
