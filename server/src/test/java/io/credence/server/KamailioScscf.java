package io.credence.server;

import io.credence.testkit.Tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The IMS side of {@link KamailioRoInteropIT}, all real programs on 127.0.0.1: Kamailio as an
 * S-CSCF charging originating calls over Ro (ims_charging, cdp), a SIPp callee behind it, and SIPp
 * callers driving one call each. Configurations come from {@code interop/kamailio/} with their
 * placeholders filled in; every program writes its output to files in the test's directory.
 */
final class KamailioScscf implements AutoCloseable {
    static final String HOST = "scscf.ims.credence.test";
    static final String REALM = "ims.credence.test";
    /** The OCS as the S-CSCF's cdp knows it: its Peer FQDN must resolve, so it is localhost. */
    static final String OCS_HOST = "localhost";
    static final String OCS_REALM = "credence.test";
    /** Seconds the CCR-I asks for, every CCR-U asks for, and how long before they run out a CCR-U goes. */
    static final int INITIAL_UNITS = 8;
    static final int INTERIM_UNITS = 8;
    static final int TIMER_BUFFER = 3;

    private static final String RESOURCES = "/interop/kamailio/";
    private static final Pattern INTERIM_USAGE = Pattern.compile("Sending interim CCR request for \\(usage:new\\) \\[(\\d+):");
    private static final Pattern STOP_USAGE = Pattern.compile("Sending stop CCR request for \\(usage\\) \\[(\\d+)\\]");
    static final String STOP_ANSWERED = "Valid CCA response for STOP record";
    static final String STOP_REFUSED = "Got bad CCA result code for STOP record";

    /** What one SIPp caller did: its exit code (0: the scenario ran as written) and how long it took. */
    record Call(int exitCode, Duration took, Path messages, Path errors) {
        String transcript() {
            return "SIPp exit " + exitCode + " after " + took.toMillis() + " ms\n--- errors\n" + read(errors)
                    + "\n--- messages\n" + read(messages);
        }
    }

    /** Seconds the S-CSCF reported used in its CCR-Us and its CCR-T, from its own log. */
    record Usage(List<Integer> interims, int stop) {
        int total() {
            return interims.stream().mapToInt(Integer::intValue).sum() + stop;
        }
    }

    private final Path dir;
    private final Map<String, String> placeholders;
    private final int sipPort;
    private final Process kamailio;
    private final List<Process> sipp = new ArrayList<>();
    private int calls;

    private KamailioScscf(Path dir, Map<String, String> placeholders, int sipPort, Process kamailio) {
        this.dir = dir;
        this.placeholders = placeholders;
        this.sipPort = sipPort;
        this.kamailio = kamailio;
    }

    /** Starts Kamailio, which connects to the OCS's Diameter port at once, and the SIPp callee. */
    static KamailioScscf start(Path dir, int diameterPort) throws IOException {
        int sipPort = freeUdpPort();
        int calleePort = freeUdpPort();
        Map<String, String> placeholders = Map.ofEntries(Map.entry("SIP_PORT", String.valueOf(sipPort)),
                Map.entry("UAS_PORT", String.valueOf(calleePort)),
                Map.entry("DIAMETER_PORT", String.valueOf(diameterPort)), Map.entry("OCS_HOST", OCS_HOST),
                Map.entry("OCS_REALM", OCS_REALM), Map.entry("SCSCF_HOST", HOST), Map.entry("SCSCF_REALM", REALM),
                Map.entry("MODULES_DIR", Tools.kamailioModules().orElseThrow().toString()),
                Map.entry("DIAMETER_XML", dir.resolve("diameter.xml").toString()),
                Map.entry("INITIAL_UNITS", String.valueOf(INITIAL_UNITS)),
                Map.entry("INTERIM_UNITS", String.valueOf(INTERIM_UNITS)),
                Map.entry("TIMER_BUFFER", String.valueOf(TIMER_BUFFER)), Map.entry("BYE_TIMEOUT_MS", "30000"));
        for (String file : List.of("kamailio.cfg", "diameter.xml", "uas.xml", "uac-call.xml", "uac-refused.xml",
                "uac-cut.xml")) {
            Files.writeString(dir.resolve(file), fill(resource(file), placeholders));
        }
        Path run = Files.createDirectories(dir.resolve("kamailio-run"));
        Process kamailio = new ProcessBuilder("kamailio", "-f", dir.resolve("kamailio.cfg").toString(), "-DD", "-E",
                "-Y", run.toString(), "-P", run.resolve("kamailio.pid").toString(), "-m", "64", "-M", "8")
                .redirectOutput(dir.resolve("kamailio.out").toFile())
                .redirectError(dir.resolve("kamailio.log").toFile())
                .start();
        KamailioScscf scscf = new KamailioScscf(dir, placeholders, sipPort, kamailio);
        scscf.sipp.add(new ProcessBuilder("sipp", "-sf", dir.resolve("uas.xml").toString(), "-i", "127.0.0.1",
                "-p", String.valueOf(calleePort), "-mp", String.valueOf(freeUdpPort()), "-nostdin",
                "-trace_msg", "-message_file", dir.resolve("callee.messages").toString(),
                "-trace_err", "-error_file", dir.resolve("callee.errors").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("callee.out").toFile()).start());
        return scscf;
    }

    /** A call from {@code caller} to {@code callee} that talks for {@code talk} and hangs up. */
    Call call(String caller, String callee, Duration talk) throws IOException, InterruptedException {
        return caller("uac-call.xml", caller, callee, talk, talk.plusSeconds(20));
    }

    /** A call the S-CSCF must refuse with 402 Payment Required. */
    Call refusedCall(String caller, String callee) throws IOException, InterruptedException {
        return caller("uac-refused.xml", caller, callee, Duration.ZERO, Duration.ofSeconds(20));
    }

    /** A call nobody hangs up: it succeeds when the network sends BYE (within 30 s of the answer). */
    Call callUntilCut(String caller, String callee) throws IOException, InterruptedException {
        return caller("uac-cut.xml", caller, callee, Duration.ZERO, Duration.ofSeconds(45));
    }

    private Call caller(String scenario, String caller, String callee, Duration pause, Duration limit)
            throws IOException, InterruptedException {
        String name = "call-" + (++calls);
        Path messages = dir.resolve(name + ".messages");
        Path errors = dir.resolve(name + ".errors");
        long started = System.nanoTime();
        Process uac = new ProcessBuilder("sipp", "127.0.0.1:" + sipPort, "-sf", dir.resolve(scenario).toString(),
                "-i", "127.0.0.1", "-p", String.valueOf(freeUdpPort()), "-mp", String.valueOf(freeUdpPort()),
                "-m", "1", "-d", String.valueOf(pause.toMillis()), "-key", "caller", caller, "-key", "callee", callee,
                "-key", "domain", REALM, "-nostdin", "-timeout", limit.toSeconds() + "s", "-timeout_error",
                "-trace_msg", "-message_file", messages.toString(), "-trace_err", "-error_file", errors.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile()).start();
        sipp.add(uac);
        if (!uac.waitFor(limit.toSeconds() + 10, TimeUnit.SECONDS)) {
            uac.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        return new Call(uac.isAlive() ? -1 : uac.exitValue(), Duration.ofNanos(System.nanoTime() - started),
                messages, errors);
    }

    private static final Pattern CONNECTED = Pattern.compile("peer " + Pattern.quote(HOST + " (" + REALM + ") connected"));

    /** Waits until the OCS says in its log that this S-CSCF's capabilities exchange is done (15 s at most). */
    void awaitConnected(Path ocsLog) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!CONNECTED.matcher(read(ocsLog)).find()) {
            if (!running()) {
                throw new AssertionError("Kamailio exited (see kamailio.log)");
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no capabilities exchange with the OCS within 15 s (see " + ocsLog + ")");
            }
            Thread.sleep(100);
        }
    }

    /** Prints the S-CSCF's files when a test fails (they are kept: the test's directory is cleaned on success only). */
    static org.junit.jupiter.api.extension.TestWatcher transcriptOnFailure(java.util.function.Supplier<Path> dir) {
        return new org.junit.jupiter.api.extension.TestWatcher() {
            @Override
            public void testFailed(org.junit.jupiter.api.extension.ExtensionContext context, Throwable cause) {
                System.out.println("===== " + context.getDisplayName() + " failed; its files are kept in " + dir.get());
                System.out.println(transcript(dir.get()));
            }
        };
    }

    boolean running() {
        return kamailio.isAlive();
    }

    /** Kamailio's log so far (stderr: core, cdp and ims_charging, which logs at debug level). */
    String log() {
        return read(dir.resolve("kamailio.log"));
    }

    /** Waits until Kamailio's log holds {@code text}; false after {@code limit}. */
    boolean awaitLog(String text, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (log().contains(text)) {
                return true;
            }
            Thread.sleep(100);
        }
        return log().contains(text);
    }

    /** Waits for the answer to the call's CCR-T, then reads what the S-CSCF reported as used. */
    Usage awaitFinalReport() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline && !(log().contains(STOP_ANSWERED) || log().contains(STOP_REFUSED)
                || log().contains("Transaction timeout"))) {
            Thread.sleep(100);
        }
        String log = log();
        Matcher stop = STOP_USAGE.matcher(log);
        if (!stop.find()) {
            throw new AssertionError("Kamailio sent no CCR-T");
        }
        return new Usage(INTERIM_USAGE.matcher(log).results().map(m -> Integer.parseInt(m.group(1))).toList(),
                Integer.parseInt(stop.group(1)));
    }

    /** Everything the programs (the OCS's server.log included) wrote in {@code dir}, for a failed test's report. */
    static String transcript(Path dir) {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().matches(".*\\.(log|out|messages|errors)$")).sorted()
                    .toList()) {
                String text = read(f);
                if (f.endsWith("kamailio.log")) { // the once-a-second timer lines drown the rest
                    text = text.lines().filter(l -> !l.contains("ro_timer_routine") && !l.contains("get_expired_ro"))
                            .collect(Collectors.joining("\n"));
                }
                all.append("===== ").append(f.getFileName()).append('\n').append(text).append('\n');
            }
        } catch (IOException e) {
            all.append(e);
        }
        return all.toString();
    }

    /** SIGTERM lets Kamailio stop its children and close its Diameter connection; SIGKILL after 5 s. */
    @Override
    public void close() throws InterruptedException {
        for (Process p : sipp) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        List<ProcessHandle> children = kamailio.descendants().toList();
        kamailio.destroy();
        if (!kamailio.waitFor(5, TimeUnit.SECONDS)) {
            kamailio.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    private static String fill(String template, Map<String, String> values) {
        String filled = template;
        for (var e : values.entrySet()) {
            filled = filled.replace("@" + e.getKey() + "@", e.getValue());
        }
        Matcher left = Pattern.compile("@[A-Z_]+@").matcher(filled);
        if (left.find()) {
            throw new IllegalStateException("placeholder " + left.group() + " not filled in");
        }
        return filled;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = KamailioScscf.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IOException(RESOURCES + name + " is not on the test class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static String read(Path file) {
        try {
            // lenient: a program's log is not promised to be UTF-8
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8)
                    : "(no " + file.getFileName() + ")";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
