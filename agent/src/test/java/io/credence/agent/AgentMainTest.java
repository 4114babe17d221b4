package io.credence.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line: each bad option is named with exit code 2; run and status work without a server. */
class AgentMainTest {
    record Result(int exitCode, String out, String err) {}

    @TempDir
    Path dir;

    private List<String> runArgs(String... extra) {
        List<String> args = new ArrayList<>(List.of("run", "--server", "http://127.0.0.1:1", "--api-key", "k",
                "--sim", "8944", "--sim-secret", "s", "--device", "d1", "--db", dir.resolve("a.db").toString()));
        args.addAll(List.of(extra));
        return args;
    }

    private Result execute(List<String> args, Map<String, String> environment) throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = AgentMain.execute(args.toArray(String[]::new), environment,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new CountDownLatch(1));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Result execute(List<String> args) throws InterruptedException {
        return execute(args, Map.of());
    }

    @Test
    void parsesAFullRunLine() {
        AgentOptions.Command command = AgentOptions.parse(runArgs("--interval-ms", "250", "--renew-at=0.5",
                "--grant-bytes", "2_000_000", "--timeout-ms", "3000", "--use-bytes-per-second", "0",
                "--duration-seconds", "7", "--drain"), Map.of());
        assertThat(command).isInstanceOf(AgentOptions.Run.class);
        AgentOptions.Run run = (AgentOptions.Run) command;
        assertThat(run.config().reportInterval()).hasMillis(250);
        assertThat(run.config().renewAtFraction()).isEqualTo(0.5);
        assertThat(run.config().grantBytes()).isEqualTo(2_000_000);
        assertThat(run.config().requestTimeout()).hasMillis(3000);
        assertThat(run.config().unreportedRowsMax()).isEqualTo(AgentConfig.UNREPORTED_ROWS_MAX_DEFAULT);
        assertThat(run.useBytesPerSecond()).isZero();
        assertThat(run.duration()).hasSeconds(7);
        assertThat(run.drain()).isTrue();

        AgentOptions.Run defaults = (AgentOptions.Run) AgentOptions.parse(runArgs(), Map.of());
        assertThat(defaults.config().reportInterval()).hasSeconds(1);
        assertThat(defaults.config().renewAtFraction()).isEqualTo(0.8);
        assertThat(defaults.config().grantBytes()).isEqualTo(1_000_000);
        assertThat(defaults.duration()).isNull();
        assertThat(defaults.drain()).isFalse();
    }

    @Test
    void eachBadOptionIsNamedAndExitsWithTwo() throws InterruptedException {
        Object[][] cases = {
                {List.of(), "error: command: missing: expected run or status (or --help)"},
                {List.of("fly"), "error: command: unknown command 'fly': expected run or status"},
                {List.of("run"), "error: --server: required"},
                {runArgs("--colour", "red"), "error: --colour: unknown option"},
                {runArgs("extra"), "error: extra: unexpected argument (options start with --)"},
                {runArgs("--interval-ms"), "error: --interval-ms: needs a value"},
                {runArgs("--interval-ms", "--drain"), "error: --interval-ms: needs a value"},
                {runArgs("--interval-ms", "soon"), "error: --interval-ms: not a whole number: 'soon'"},
                {runArgs("--interval-ms", "0"), "error: --interval-ms: must be 1..9223372036854, was 0"},
                {runArgs("--renew-at", "1.5"), "error: --renew-at: must be > 0 and <= 1, was 1.5"},
                {runArgs("--renew-at", "NaN"), "error: --renew-at: must be > 0 and <= 1, was NaN"},
                {runArgs("--renew-at", "most"), "error: --renew-at: not a number: 'most'"},
                {runArgs("--grant-bytes", "-5"), "error: --grant-bytes: must be 1..9223372036854775807, was -5"},
                {runArgs("--use-bytes-per-second", "x"), "error: --use-bytes-per-second: not a whole number: 'x'"},
                {runArgs("--duration-seconds", "0"), "error: --duration-seconds: must be 1..9223372036, was 0"},
                {runArgs("--drain=yes"), "error: --drain: is a flag and takes no value"},
                {runArgs("--sim", "twice"), "error: --sim: given twice"},
                {List.of("run", "--server", "ftp://x"), "error: --server: must be an http(s) URL with a host, was 'ftp://x'"},
                {List.of("run", "--server", "http://x/?q=1"), "error: --server: must not have a query or fragment, was 'http://x/?q=1'"},
                {List.of("run", "--server", "http://x y"), "error: --server: not a URL: Illegal character in authority at index 8: http://x y"},
                {List.of("run", "--server", "http://x"),
                        "error: --api-key: required (or --api-key-file FILE, or set CREDENCE_API_KEY)"},
                {List.of("run", "--server", "http://x", "--api-key", "a b"), "error: --api-key: must be 1..4096 visible ASCII characters"},
                {List.of("run", "--server", "http://x", "--api-key", "k", "--sim", "89/44"),
                        "error: --sim: must be 1..32 of A-Z a-z 0-9 - _ ., was '89/44'"},
                {List.of("run", "--server", "http://x", "--api-key", "k", "--sim", "8944"),
                        "error: --sim-secret: required (or --sim-secret-file FILE, or set CREDENCE_SIM_SECRET)"},
                {List.of("run", "--server", "http://x", "--api-key", "k", "--api-key-file", "f"),
                        "error: --api-key: give --api-key or --api-key-file, not both"},
                {List.of("run", "--server", "http://x", "--api-key-file", dir.resolve("nokey").toString()),
                        "error: --api-key-file: no such file: " + dir.resolve("nokey")},
                {List.of("run", "--server", "http://x", "--api-key", "k", "--sim", "8944", "--sim-secret", "s", "--device", ""),
                        "error: --device: must not be empty"},
                {List.of("run", "--server", "http://x", "--api-key", "k", "--sim", "8944", "--sim-secret", "s", "--device", "d",
                        "--db", dir.resolve("missing/a.db").toString()),
                        "error: --db: directory " + dir.resolve("missing") + " does not exist"},
                {List.of("run", "--server", "http://x", "--api-key", "k", "--sim", "8944", "--sim-secret", "s", "--device",
                        "d".repeat(65)), "error: --device: longer than 64 characters"},
                {List.of("status"), "error: --db: required"},
                {List.of("status", "--db", dir.resolve("none.db").toString()), "error: --db: no such file: " + dir.resolve("none.db")},
                {List.of("status", "--server", "http://x"), "error: --server: unknown option"},
        };
        for (Object[] bad : cases) {
            @SuppressWarnings("unchecked")
            List<String> args = (List<String>) bad[0];
            Result result = execute(args);
            assertThat(result.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(result.err().lines().findFirst()).as(String.join(" ", args)).contains((String) bad[1]);
            assertThat(result.out()).isEmpty();
        }
    }

    @Test
    void secretsMayComeFromFilesSoTheyStayOutOfPs() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("key"), "key-from-file\n");
        java.nio.file.Files.writeString(dir.resolve("secret"), "secret-from-file\n");
        List<String> args = List.of("run", "--server", "http://x", "--api-key-file", dir.resolve("key").toString(),
                "--sim", "8944", "--sim-secret-file", dir.resolve("secret").toString(), "--device", "d",
                "--db", dir.resolve("a.db").toString());
        AgentConfig config = ((AgentOptions.Run) AgentOptions.parse(args, Map.of())).config();
        assertThat(config.apiKey()).isEqualTo("key-from-file");
        assertThat(config.simSecret()).isEqualTo("secret-from-file");
        AgentConfig fromEnvironment = ((AgentOptions.Run) AgentOptions.parse(List.of("run", "--server", "http://x",
                "--api-key", "k", "--sim", "8944", "--device", "d", "--db", dir.resolve("a.db").toString()),
                Map.of("CREDENCE_SIM_SECRET", "secret-from-env"))).config();
        assertThat(fromEnvironment.simSecret()).isEqualTo("secret-from-env");
    }

    @Test
    void helpIsAnsweredAfterACommandAndAmongItsOptionsToo() throws InterruptedException {
        for (List<String> args : List.of(List.of("--help"), List.of("run", "--help"), List.of("status", "-h"),
                List.of("run", "--server", "http://x", "--help"), List.of("run", "--colour", "red", "--help"))) {
            Result result = execute(args);
            assertThat(result.exitCode()).as(String.join(" ", args)).isZero();
            assertThat(result.out()).as(String.join(" ", args)).startsWith("usage: credence agent run --server URL");
            assertThat(result.err()).isEmpty();
        }
    }

    @Test
    void theApiKeyMayComeFromTheEnvironment() {
        List<String> args = List.of("run", "--server", "http://x", "--sim", "8944", "--sim-secret", "s", "--device", "d",
                "--db", dir.resolve("a.db").toString());
        AgentOptions.Command command = AgentOptions.parse(args, Map.of("CREDENCE_API_KEY", " from-env\n"));
        assertThat(((AgentOptions.Run) command).config().apiKey()).isEqualTo("from-env");
    }

    @Test
    void runWithoutAServerPrintsAStatusLinePerIntervalAndStatusReadsTheFile() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        Path db = dir.resolve("run.db");
        List<String> run = List.of("run", "--server", "http://127.0.0.1:" + closed, "--api-key", "k", "--sim", "8944",
                "--sim-secret", "s", "--device", "d1", "--db", db.toString(), "--interval-ms", "200",
                "--timeout-ms", "500", "--duration-seconds", "1");
        Result result = execute(run);
        assertThat(result.exitCode()).isZero();
        List<String> lines = result.out().lines().toList();
        assertThat(lines).hasSizeBetween(1, 6).allMatch(line -> line.equals(
                "metered=0 acknowledged=0 pending=0 state=OFFLINE serverReported=0"));
        assertThat(result.err()).startsWith("problem: register: ");

        Result status = execute(List.of("status", "--db", db.toString()));
        assertThat(status.exitCode()).isZero();
        assertThat(status.out()).isEqualTo("metered=0 acknowledged=0 pending=0 state=STOPPED serverReported=0"
                + System.lineSeparator());

        Result drain = execute(List.of("run", "--server", "http://127.0.0.1:" + closed, "--api-key", "k", "--sim",
                "8944", "--sim-secret", "s", "--device", "d1", "--db", db.toString(), "--interval-ms", "50",
                "--timeout-ms", "500", "--duration-seconds", "1", "--drain"));
        assertThat(drain.exitCode()).as("nothing used, nothing to return").isZero();
        assertThat(drain.out().lines().toList().getLast()).isEqualTo("drained metered=0 acknowledged=0");
    }

    @Test
    void aDatabaseOfAnotherSimIsAnOptionError() throws Exception {
        Path db = dir.resolve("a.db");
        AgentStore.open(db, "other", "d1", 10).close();
        Result result = execute(runArgs("--duration-seconds", "1"));
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("error: --db: " + db + " belongs to SIM other, not 8944");
    }

    @Test
    void statusOfAFileThatIsNotADatabaseIsAnOptionError() throws IOException, InterruptedException, SQLException {
        Path notes = dir.resolve("notes.db");
        Files.writeString(notes, "this is not a database, and it is long enough to have a header");
        Result result = execute(List.of("status", "--db", notes.toString()));
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("error: --db: ");
    }
}
