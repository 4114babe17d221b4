package io.credence.server.bench;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.peer.LocalIdentity;
import io.credence.diameter.transport.DiameterClient;
import io.credence.server.Main;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code credence bench diameter}: opens its own Diameter connections to a running server, runs
 * whole credit-control sessions on an open-loop schedule (see {@link DiameterLoad}) and prints the
 * achieved rate, the answers by Result-Code and the latency percentiles. With {@code --http} it
 * first makes sure its subscribers exist (see {@link Provisioner}).
 */
@Command(name = "diameter", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run whole credit-control sessions (I, U..., T) against a Diameter server at a fixed rate.")
final class DiameterBenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Diameter server address, default ${DEFAULT-VALUE}")
    String host;

    @Option(names = "--port", defaultValue = "3868", description = "Diameter server port, default ${DEFAULT-VALUE}")
    int port;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "1000",
            description = "CCRs offered per second, on a fixed schedule (open loop), default ${DEFAULT-VALUE}")
    long rate;

    @Option(names = "--sessions", paramLabel = "S", defaultValue = "100",
            description = "sessions open at once (so at most S requests in flight), default ${DEFAULT-VALUE}")
    int sessions;

    @Option(names = "--duration", paramLabel = "D", defaultValue = "30s",
            description = "measured time: seconds, or with a unit (500ms, 30s, 2m), default ${DEFAULT-VALUE}")
    String duration;

    @Option(names = "--warmup", paramLabel = "D", defaultValue = "5s",
            description = "load before measuring (counted apart), default ${DEFAULT-VALUE}")
    String warmup;

    @Option(names = "--updates", paramLabel = "N", defaultValue = "3",
            description = "CCR-Updates per session: a session is I + N x U + T, default ${DEFAULT-VALUE}")
    int updates;

    @Option(names = "--connections", paramLabel = "C", defaultValue = "1",
            description = "Diameter connections; connection k > 0 uses --origin-host with -k after its first label "
                    + "(bench-1.credence.local, ...), each must be a --diameter-peer of the server, default ${DEFAULT-VALUE}")
    int connections;

    @Option(names = "--origin-host", defaultValue = "bench.credence.local",
            description = "our Origin-Host (the server must allow it: serve --diameter-peer), default ${DEFAULT-VALUE}")
    String originHost;

    @Option(names = "--origin-realm", defaultValue = "bench.credence.local",
            description = "our Origin-Realm, default ${DEFAULT-VALUE}")
    String originRealm;

    @Option(names = "--destination-realm", defaultValue = "credence.local",
            description = "Destination-Realm of the CCRs, default ${DEFAULT-VALUE}")
    String destinationRealm;

    @Option(names = "--msisdn-prefix", defaultValue = "49170",
            description = "subscriber numbers are this prefix and a 7-digit index, default ${DEFAULT-VALUE}")
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
        LoadPlan plan = plan();
        URI httpApi = http == null ? null : httpUri();
        String commandLine = commandLine();
        if (httpApi != null) {
            Integer failed = Provisioner.provision(httpApi, http, plan);
            if (failed != null) {
                return failed;
            }
        }
        List<DiameterClient> clients = new ArrayList<>();
        try {
            for (String name : plan.originHosts()) {
                clients.add(DiameterClient.connect(plan.host(), plan.port(), identity(name), DiameterClient.Options.defaults(),
                        DiameterBenchCommand::answerServerRequest));
            }
            String runId = Long.toHexString(System.currentTimeMillis());
            LoadReport report = new DiameterLoad(plan, clients,
                    DiameterClient.Options.defaults().requestTimeout().toNanos(), runId).run();
            report.print(System.out, commandLine);
            return report.stoppedEarly() == null ? 0 : Main.EXIT_UNREACHABLE;
        } catch (DiameterClient.CapabilitiesRefused refused) {
            String name = plan.originHosts().get(clients.size());
            System.err.println("credence: the server refused Origin-Host " + name + " with Result-Code "
                    + refused.resultCode() + (refused.resultCode() == Codes.DIAMETER_UNKNOWN_PEER
                    ? " (unknown peer: start it with --diameter-peer " + name + ")" : ""));
            return Main.EXIT_REFUSED;
        } catch (ConnectException unreachable) {
            System.err.println("credence: cannot reach the Diameter server at " + plan.host() + ":" + plan.port()
                    + " (is `credence serve` running with --diameter-port " + plan.port() + "?)");
            return Main.EXIT_UNREACHABLE;
        } catch (IOException failed) {
            System.err.println("credence: Diameter connection to " + plan.host() + ":" + plan.port() + " failed: "
                    + failed.getMessage());
            return Main.EXIT_UNREACHABLE;
        } finally {
            for (DiameterClient c : clients) {
                c.close();
            }
        }
    }

    /** RAR and ASR are answered 2001 and otherwise ignored: the sessions run to their own end. */
    private static DiameterMessage answerServerRequest(DiameterMessage request) {
        List<Avp> avps = new ArrayList<>();
        request.find(Codes.SESSION_ID, 0).ifPresent(avps::add);
        avps.add(Avps.unsigned32(Codes.RESULT_CODE, 0, true, Codes.DIAMETER_SUCCESS));
        request.find(Codes.DESTINATION_HOST, 0).ifPresent(h -> avps.add(Avps.utf8(Codes.ORIGIN_HOST, 0, true, h.utf8())));
        request.find(Codes.DESTINATION_REALM, 0)
                .ifPresent(r -> avps.add(Avps.utf8(Codes.ORIGIN_REALM, 0, true, r.utf8())));
        return request.answer(avps);
    }

    private LoadPlan plan() {
        require(port >= 1 && port <= 65_535, "--port must be 1..65535, was " + port);
        require(!host.isBlank(), "--host must not be empty");
        require(rate >= 1 && rate <= LoadPlan.RATE_MAX, "--rate must be 1.." + LoadPlan.RATE_MAX + " CCR/s, was " + rate);
        require(sessions >= 1 && sessions <= LoadPlan.SESSIONS_MAX,
                "--sessions must be 1.." + LoadPlan.SESSIONS_MAX + ", was " + sessions);
        require(updates >= 0 && updates <= LoadPlan.UPDATES_MAX,
                "--updates must be 0.." + LoadPlan.UPDATES_MAX + ", was " + updates);
        require(connections >= 1 && connections <= LoadPlan.CONNECTIONS_MAX,
                "--connections must be 1.." + LoadPlan.CONNECTIONS_MAX + ", was " + connections);
        require(connections <= sessions, "--connections (" + connections + ") must not exceed --sessions (" + sessions + ")");
        require(originHost.matches("[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*"),
                "--origin-host must be a host name, was '" + originHost + "'");
        require(originRealm.matches("[A-Za-z0-9.-]+"), "--origin-realm must be a realm name, was '" + originRealm + "'");
        require(destinationRealm.matches("[A-Za-z0-9.-]+"),
                "--destination-realm must be a realm name, was '" + destinationRealm + "'");
        require(msisdnPrefix.matches("[0-9]{1," + LoadPlan.MSISDN_PREFIX_DIGITS_MAX + "}"), "--msisdn-prefix must be 1.."
                + LoadPlan.MSISDN_PREFIX_DIGITS_MAX + " digits (E.164 numbers have at most 15 with the "
                + LoadPlan.SUBSCRIBER_DIGITS + "-digit index), was '" + msisdnPrefix + "'");
        require(subscribers >= 1 && subscribers <= LoadPlan.SUBSCRIBERS_MAX,
                "--subscribers must be 1.." + LoadPlan.SUBSCRIBERS_MAX + ", was " + subscribers);
        long durationNanos = nanos("--duration", duration);
        long warmupNanos = nanos("--warmup", warmup);
        require(durationNanos > 0, "--duration must be more than 0, was " + duration);
        require(durationNanos + warmupNanos <= LoadPlan.DURATION_MAX_NANOS, "--warmup and --duration together must be "
                + "at most 24 hours");
        List<String> hosts = new ArrayList<>();
        for (int k = 0; k < connections; k++) {
            hosts.add(k == 0 ? originHost : originHost.replaceFirst("^([^.]+)", "$1-" + k));
        }
        return new LoadPlan(host, port, hosts, originRealm, destinationRealm, rate, sessions, updates, warmupNanos,
                durationNanos, msisdnPrefix, subscribers);
    }

    private long nanos(String option, String value) {
        long nanos = Durations.nanos(value);
        require(nanos >= 0, option + " must be a time such as 30, 30s, 500ms or 2m, was '" + value + "'");
        return nanos;
    }


    private URI httpUri() {
        URI uri;
        try {
            uri = URI.create(http.endsWith("/") ? http : http + "/");
        } catch (IllegalArgumentException bad) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--http is not a URL: " + http);
        }
        require("http".equals(uri.getScheme()) && uri.getHost() != null, "--http must be an http:// URL, was " + http);
        return uri;
    }

    private LocalIdentity identity(String name) throws UnknownHostException {
        InetAddress target = InetAddress.getByName(host);
        InetAddress self = target.isLoopbackAddress() ? InetAddress.getLoopbackAddress() : InetAddress.getLocalHost();
        return new LocalIdentity(name, originRealm, List.of(self.getAddress()), 0, "credence-bench", 1);
    }

    /** The command as typed, so a result can be reproduced from its own output. */
    private String commandLine() {
        return commandLine(spec);
    }

    static String commandLine(CommandLine.Model.CommandSpec spec) {
        StringBuilder out = new StringBuilder("credence");
        for (String arg : spec.commandLine().getParseResult().originalArgs()) {
            out.append(' ').append(arg.matches("[A-Za-z0-9_./:=@,+-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'");
        }
        return out.toString();
    }

    private void require(boolean ok, String message) {
        if (!ok) {
            throw new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }
}
