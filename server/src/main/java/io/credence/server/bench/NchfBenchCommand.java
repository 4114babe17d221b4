package io.credence.server.bench;

import io.credence.server.Main;
import io.credence.server.bench.h2c.H2cClient;
import io.credence.server.bench.h2c.H2cConnection;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code credence bench nchf}: whole Nchf converged-charging sessions (create, updates, release)
 * over HTTP/2 against a running server, on the open-loop schedule of {@code bench diameter} (see
 * {@link NchfLoad}); prints the achieved rate, answers by HTTP status and cause and the latency
 * percentiles. With {@code --http} it first makes sure its subscribers exist ({@link Provisioner}).
 *
 * <p>The requests go over {@link H2cClient}, Netty's HTTP/2 by prior knowledge: tens of
 * microseconds of CPU per request, where the JDK HttpClient spent 230–370 µs and so saturated a
 * core of a 2-core machine at ~4,000 requests/s. Every answer is therefore an HTTP/2 answer; a
 * server that does not speak h2c on the port is refused when connecting.
 */
@Command(name = "nchf", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run whole Nchf charging sessions (create, updates, release) over HTTP/2 at a fixed rate.")
final class NchfBenchCommand implements Callable<Integer> {
    /** As long as the server waits for the credit-control engine before answering 503 itself. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final int IO_THREADS_MAX = 64;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
            description = "the server's HTTP port (cleartext; Nchf is served there), default ${DEFAULT-VALUE}")
    String url;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "1000",
            description = "requests (create, update, release) offered per second, on a fixed schedule (open loop), "
                    + "default ${DEFAULT-VALUE}")
    long rate;

    @Option(names = "--sessions", paramLabel = "S", defaultValue = "100",
            description = "sessions open at once (so at most S requests in flight), default ${DEFAULT-VALUE}")
    int sessions;

    @CommandLine.Mixin
    MeasuredTime time;

    @Option(names = "--updates", paramLabel = "U", defaultValue = "3",
            description = "updates per session: a session is create + U x update + release, default ${DEFAULT-VALUE}")
    int updates;

    @Option(names = "--connections", paramLabel = "C", defaultValue = "4",
            description = "HTTP/2 connections (h2c by prior knowledge; sessions are spread over them; a request "
                    + "beyond the server's stream limit on its connection, 128 for Credence, waits in the generator "
                    + "for a stream), default ${DEFAULT-VALUE}")
    int connections;

    @Option(names = "--io-threads", paramLabel = "T", defaultValue = "1",
            description = "event-loop threads the connections share (sending, reading answers), default ${DEFAULT-VALUE}")
    int ioThreads;

    @Option(names = "--msisdn-prefix", defaultValue = "49170",
            description = "subscribers are msisdn-<prefix><7-digit index>, default ${DEFAULT-VALUE}")
    String msisdnPrefix;

    @Option(names = "--subscribers", paramLabel = "N", defaultValue = "1000",
            description = "subscribers the sessions are spread over, default ${DEFAULT-VALUE}")
    int subscribers;

    @Option(names = "--http", paramLabel = "URL",
            description = "the server's HTTP API, e.g. http://127.0.0.1:8080: first create the subscribers that are "
                    + "missing (account bench-<msisdn>, a large BYTES balance, the E164 identity); without it they must exist")
    String http;

    @Override
    public Integer call() throws InterruptedException {
        URI base = uri("--url", url);
        LoadPlan plan = plan(base);
        String commandLine = DiameterBenchCommand.commandLine(spec);
        if (http != null) {
            Integer failed = Provisioner.provision(uri("--http", http), http, plan);
            if (failed != null) {
                return failed;
            }
        }
        int perConnection = (sessions + connections - 1) / connections;
        try (H2cClient client = new H2cClient(ioThreads, REQUEST_TIMEOUT, CONNECT_TIMEOUT)) {
            List<H2cConnection> open = new ArrayList<>();
            for (int k = 0; k < connections; k++) {
                // each session has at most one request in flight, so this many can ever wait for a stream
                open.add(client.connect(base.getHost(), plan.port(), perConnection));
            }
            long streams = open.getFirst().maxConcurrentStreams();
            if (streams >= 0 && perConnection > streams) {
                System.out.printf("note: up to %d requests in flight per connection, the server allows %d streams on "
                        + "one: the rest wait in the generator for a stream (latency counts from the due time); "
                        + "use more --connections%n", perConnection, streams);
            }
            String runId = Long.toHexString(System.currentTimeMillis());
            NchfLoad load = new NchfLoad(plan, open, REQUEST_TIMEOUT.toNanos(), runId);
            LoadReport report = load.run();
            report.print(System.out, commandLine, String.format("%s, %d HTTP/2 connection(s) (h2c, %d I/O thread(s))",
                    base, connections, ioThreads));
            if (load.firstFailure() != null) {
                System.out.println("first request without an answer: " + load.firstFailure());
            }
            return report.stoppedEarly() == null ? 0 : Main.EXIT_UNREACHABLE;
        } catch (H2cClient.NotHttp2 refused) {
            System.err.println("credence: " + refused.getMessage());
            return Main.EXIT_REFUSED;
        } catch (ConnectException unreachable) {
            System.err.println("credence: cannot reach the server at " + base + " (is `credence serve` running with "
                    + "--http-port " + base.getPort() + "?)");
            return Main.EXIT_UNREACHABLE;
        } catch (IOException failed) {
            System.err.println("credence: HTTP/2 connection to " + base + " failed: " + failed);
            return Main.EXIT_UNREACHABLE;
        }
    }

    private LoadPlan plan(URI base) {
        require(rate >= 1 && rate <= LoadPlan.RATE_MAX, "--rate must be 1.." + LoadPlan.RATE_MAX
                + " requests/s, was " + rate);
        require(sessions >= 1 && sessions <= LoadPlan.SESSIONS_MAX,
                "--sessions must be 1.." + LoadPlan.SESSIONS_MAX + ", was " + sessions);
        require(updates >= 0 && updates <= LoadPlan.UPDATES_MAX,
                "--updates must be 0.." + LoadPlan.UPDATES_MAX + ", was " + updates);
        require(connections >= 1 && connections <= LoadPlan.CONNECTIONS_MAX,
                "--connections must be 1.." + LoadPlan.CONNECTIONS_MAX + ", was " + connections);
        require(connections <= sessions, "--connections (" + connections + ") must not exceed --sessions (" + sessions + ")");
        require(ioThreads >= 1 && ioThreads <= IO_THREADS_MAX,
                "--io-threads must be 1.." + IO_THREADS_MAX + ", was " + ioThreads);
        require(msisdnPrefix.matches("[0-9]{1," + LoadPlan.MSISDN_PREFIX_DIGITS_MAX + "}"), "--msisdn-prefix must be 1.."
                + LoadPlan.MSISDN_PREFIX_DIGITS_MAX + " digits, was '" + msisdnPrefix + "'");
        require(subscribers >= 1 && subscribers <= LoadPlan.SUBSCRIBERS_MAX,
                "--subscribers must be 1.." + LoadPlan.SUBSCRIBERS_MAX + ", was " + subscribers);
        long durationNanos = time.measuredNanos();
        long warmupNanos = time.warmupNanos();
        require(durationNanos + warmupNanos <= LoadPlan.DURATION_MAX_NANOS, "--warmup and --seconds together must be "
                + "at most 24 hours");
        List<String> names = new ArrayList<>();
        for (int k = 0; k < connections; k++) {
            names.add("h2-" + k);
        }
        // the realms are Diameter's; an Nchf consumer has none
        return new LoadPlan(base.getHost(), base.getPort() < 0 ? 80 : base.getPort(), names, "-", "-", rate, sessions,
                updates, warmupNanos, durationNanos, msisdnPrefix, subscribers);
    }

    private URI uri(String option, String value) {
        URI uri;
        try {
            uri = URI.create(value.endsWith("/") ? value : value + "/");
        } catch (IllegalArgumentException bad) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " is not a URL: " + value);
        }
        require("http".equals(uri.getScheme()) && uri.getHost() != null
                        && (uri.getPath() == null || uri.getPath().equals("/")),
                option + " must be an http:// URL without a path (HTTP/2 over TLS is not served), was " + value);
        return uri;
    }

    private void require(boolean ok, String message) {
        if (!ok) {
            throw new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }
}
