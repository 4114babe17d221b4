package io.credence.diameter.cc;

import io.credence.diameter.ExternalPrograms;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.transport.DiameterClient;
import io.credence.ledger.Unit;
import io.credence.testkit.RequiredTools;
import io.credence.testkit.RequiresTools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.credence.diameter.cc.CcHarness.granted;
import static io.credence.diameter.cc.CcHarness.resultCode;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wireshark reads what goes over a live Credence connection: a gateway runs data and voice
 * sessions, events, a watchdog, a re-auth and an abort from the server, error answers with
 * Failed-AVP and a disconnect, while dumpcap captures the loopback port. Then
 * {@code tshark -d tcp.port==PORT,diameter} must find every message, each request paired with its
 * answer, and raise no malformed-packet or unknown-AVP/command/application/vendor warning.
 *
 * <p>Capturing needs root or CAP_NET_RAW; where the capture cannot start the test is reported
 * skipped, as it is without tshark, except where dumpcap is required ({@code .ci/run} installs
 * tshark, dumpcap comes with it, and runs as root): there it fails.
 */
@RequiresTools({"tshark", "dumpcap"})
class LiveCaptureInteropTest {
    private static final Duration TSHARK_TIMEOUT = Duration.ofSeconds(60);
    private static final long CAPTURE_FLUSH_MILLIS_MAX = 10_000;
    /** What must never appear: the dissector's own verdicts on frames it cannot fully read. */
    private static final String COMPLAINTS = String.join(" || ", "_ws.malformed", "_ws.expert.severity >= error",
            "diameter.avp.code.unknown", "diameter.unknown_vendor", "diameter.cmd.code.unknown",
            "diameter.applicationId.unknown", "diameter.avp.invalid-len", "diameter.invalid_avp_len",
            "diameter.reserved_bit_set", "diameter.version.unknown");
    /** Empty grouped AVPs that RFC 4006 and RFC 6733 7.5 mean to be empty; tshark notes "Data is empty". */
    private static final List<String> EMPTY_ON_PURPOSE = List.of("Requested-Service-Unit(437)", "Subscription-Id(443)");

    @TempDir
    Path dir;
    private CcHarness h;
    private Process capture;
    private final StringBuffer captureLog = new StringBuffer();
    /** Every message on the wire as "R272" (request) or "A272" (answer), in no particular order. */
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final AtomicLong endToEnd = new AtomicLong(1);

    @AfterEach
    void stop() throws Exception {
        if (capture != null && capture.isAlive()) {
            capture.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        if (h != null) {
            h.close();
        }
    }

    @Test
    void tsharkDissectsEveryMessageOfLiveSessionsWithoutComplaint() throws Exception {
        h = new CcHarness(dir.resolve("ledger"), CreditControlConfig.defaults());
        int port = h.server.port();
        Path pcap = dir.resolve("live.pcapng");
        startCapture(port, pcap);

        runSessions();
        stopCapture(pcap, port);

        List<String[]> dissected = dissectedMessages(pcap, port);
        assertThat(dissected.stream().map(m -> m[0]).sorted().toList())
                .as("messages tshark dissected on port %d (capture log: %s)", port, captureLog)
                .isEqualTo(sent.stream().sorted().toList());
        assertRequestsPairedWithAnswers(dissected);
        assertThat(tshark(pcap, port, "-Y", COMPLAINTS)).as("frames tshark complains about").isBlank();
        String verbose = tshark(pcap, port, "-V", "-Y", "diameter");
        assertThat(verbose).doesNotContainIgnoringCase("malformed").doesNotContain("Unknown AVP")
                .doesNotContain("AVP: Unknown");
        assertOnlyIntendedEmptyAvps(verbose);
        assertThat(verbose).contains("Multiple-Services-Credit-Control(456)", "Granted-Service-Unit(431)",
                "Used-Service-Unit(446)", "Final-Unit-Indication(430)", "Check-Balance-Result(422)",
                "Cost-Information(423)", "Re-Auth-Request-Type(285)", "Failed-AVP(279)", "Proxy-Info(284)",
                "Proxy-Host(280)", "Proxy-State(33)", "Route-Record(282)", "Disconnect-Cause(273)",
                "Origin-State-Id(278)", "Result-Code(268) l=12 f=-M- val=DIAMETER_USER_UNKNOWN (5030)",
                "Result-Code(268) l=12 f=-M- val=DIAMETER_MISSING_AVP (5005)",
                "Result-Code(268) l=12 f=-M- val=DIAMETER_COMMAND_UNSUPPORTED (3001)");
    }

    /** The story the capture records; every message written is noted in {@link #sent}. */
    private void runSessions() throws Exception {
        h.subscriber("491700000101", Unit.BYTES, 10_000_000);
        h.subscriber("491700000102", Unit.SECONDS, 100);
        h.subscriber("491700000103", Unit.MONEY, 5_000);
        DiameterClient pgw = connect();
        String data = "pgw.operator.test;live;data";
        String voice = "pgw.operator.test;live;voice";

        DiameterMessage i = exchange(pgw, h.ccr(data, Codes.INITIAL_REQUEST, 0).msisdn("491700000101")
                .mscc(10, Unit.BYTES, 1_000_000L, null).mscc(20, Unit.BYTES, 0L, null));
        assertThat(granted(i, 10)).isEqualTo(1_000_000);
        exchange(pgw, h.ccr(data, Codes.UPDATE_REQUEST, 1).mscc(10, Unit.BYTES, 1_000_000L, 700_000L)
                .avp(CreditControlScenarioTest.proxyInfo("proxy.operator.test", "opaque-1"))
                .avp(Avps.utf8(Codes.ROUTE_RECORD, 0, true, "dra.operator.test")));
        assertThat(h.cc.reAuthorize(data).get(5, TimeUnit.SECONDS)).isEqualTo(Codes.DIAMETER_SUCCESS);
        exchange(pgw, h.ccr(data, Codes.UPDATE_REQUEST, 2).mscc(10, Unit.BYTES, 500_000L, 900_000L));
        exchange(pgw, h.ccr(data, Codes.TERMINATION_REQUEST, 3).mscc(10, Unit.BYTES, null, 200_000L)
                .mscc(20, Unit.BYTES, null, 1_000L));

        exchange(pgw, h.ccr(voice, Codes.INITIAL_REQUEST, 0).serviceContext(CreditControlConfig.CONTEXT_IMS)
                .msisdn("491700000102").single(Unit.SECONDS, 60L, null));
        DiameterMessage last = exchange(pgw, h.ccr(voice, Codes.UPDATE_REQUEST, 1)
                .serviceContext(CreditControlConfig.CONTEXT_IMS).single(Unit.SECONDS, 60L, 60L));
        assertThat(last.find(Codes.FINAL_UNIT_INDICATION, 0)).isPresent();
        assertThat(h.cc.abort(voice).get(5, TimeUnit.SECONDS)).isEqualTo(Codes.DIAMETER_SUCCESS);
        exchange(pgw, h.ccr(voice, Codes.TERMINATION_REQUEST, 2).serviceContext(CreditControlConfig.CONTEXT_IMS)
                .single(Unit.SECONDS, null, 30L));

        events(pgw);
        errors(pgw);
        watchdog(pgw);
        pgw.close(); // DPR, DPA
        sent.add("R" + Codes.DISCONNECT_PEER);
        sent.add("A" + Codes.DISCONNECT_PEER);
    }

    private void events(DiameterClient pgw) throws Exception {
        DiameterMessage debit = exchange(pgw, h.ccr("pgw.operator.test;live;sms", Codes.EVENT_REQUEST, 0)
                .msisdn("491700000101").requestedAction(Codes.DIRECT_DEBITING).single(Unit.BYTES, 1_000L, null));
        assertThat(resultCode(debit)).isEqualTo(Codes.DIAMETER_SUCCESS);
        DiameterMessage balance = exchange(pgw, h.ccr("pgw.operator.test;live;balance", Codes.EVENT_REQUEST, 0)
                .msisdn("491700000101").requestedAction(Codes.CHECK_BALANCE).single(Unit.BYTES, 5_000L, null));
        assertThat(balance.find(Codes.CHECK_BALANCE_RESULT, 0)).isPresent();
        DiameterMessage price = exchange(pgw, h.ccr("pgw.operator.test;live;price", Codes.EVENT_REQUEST, 0)
                .msisdn("491700000103").requestedAction(Codes.PRICE_ENQUIRY).single(Unit.MONEY, 250L, null));
        assertThat(price.find(Codes.COST_INFORMATION, 0)).isPresent();
    }

    private void errors(DiameterClient pgw) throws Exception {
        DiameterMessage unknownUser = exchange(pgw, h.ccr("pgw.operator.test;live;nobody", Codes.INITIAL_REQUEST, 0)
                .msisdn("491709999999").mscc(10, Unit.BYTES, 1_000L, null));
        assertThat(resultCode(unknownUser)).isEqualTo(Codes.DIAMETER_USER_UNKNOWN);
        DiameterMessage missing = exchange(pgw, h.ccr("pgw.operator.test;live;anonymous", Codes.INITIAL_REQUEST, 0)
                .mscc(10, Unit.BYTES, 1_000L, null));
        assertThat(resultCode(missing)).isEqualTo(Codes.DIAMETER_MISSING_AVP);
        assertThat(missing.find(Codes.FAILED_AVP, 0)).isPresent();
        DiameterMessage invalid = exchange(pgw, h.ccr("pgw.operator.test;live;invalid", 9, 0).msisdn("491700000101"));
        assertThat(resultCode(invalid)).isEqualTo(Codes.DIAMETER_INVALID_AVP_VALUE);
        DiameterMessage unknownSession = exchange(pgw, h.ccr("pgw.operator.test;live;never", Codes.UPDATE_REQUEST, 1)
                .mscc(10, Unit.BYTES, 1_000L, 10L));
        assertThat(resultCode(unknownSession)).isEqualTo(Codes.DIAMETER_UNKNOWN_SESSION_ID);
        // Session-Termination is credit control's application but not its command: 3001 with the E bit
        DiameterMessage str = exchange(pgw, new DiameterMessage(
                DiameterMessage.FLAG_REQUEST | DiameterMessage.FLAG_PROXIABLE, 275, Codes.APP_CREDIT_CONTROL, 0,
                endToEnd.getAndIncrement(), List.of(Avps.utf8(Codes.SESSION_ID, 0, true, "pgw.operator.test;live;str"),
                Avps.utf8(Codes.ORIGIN_HOST, 0, true, CcHarness.PGW.originHost()),
                Avps.utf8(Codes.ORIGIN_REALM, 0, true, CcHarness.PGW.originRealm()),
                Avps.utf8(Codes.DESTINATION_REALM, 0, true, CcHarness.OCS.originRealm()),
                Avps.unsigned32(Codes.AUTH_APPLICATION_ID, 0, true, Codes.APP_CREDIT_CONTROL),
                Avps.integer32(Codes.TERMINATION_CAUSE, 0, true, 1))));
        assertThat(resultCode(str)).isEqualTo(Codes.DIAMETER_COMMAND_UNSUPPORTED);
        assertThat(str.isError()).isTrue();
    }

    private void watchdog(DiameterClient pgw) throws Exception {
        DiameterMessage dwa = exchange(pgw, new DiameterMessage(DiameterMessage.FLAG_REQUEST, Codes.DEVICE_WATCHDOG,
                Codes.APP_COMMON, 0, endToEnd.getAndIncrement(), List.of(
                        Avps.utf8(Codes.ORIGIN_HOST, 0, true, CcHarness.PGW.originHost()),
                        Avps.utf8(Codes.ORIGIN_REALM, 0, true, CcHarness.PGW.originRealm()))));
        assertThat(resultCode(dwa)).isEqualTo(Codes.DIAMETER_SUCCESS);
    }

    /** The gateway: answers the server's RAR and ASR with 2001, noting both directions. */
    private DiameterClient connect() throws Exception {
        DiameterClient pgw = h.connect(request -> {
            sent.add("R" + request.commandCode());
            sent.add("A" + request.commandCode());
            return request.answer(List.of(request.find(Codes.SESSION_ID, 0).orElseThrow(),
                    Avps.unsigned32(Codes.RESULT_CODE, 0, true, Codes.DIAMETER_SUCCESS),
                    Avps.utf8(Codes.ORIGIN_HOST, 0, true, CcHarness.PGW.originHost()),
                    Avps.utf8(Codes.ORIGIN_REALM, 0, true, CcHarness.PGW.originRealm())));
        });
        sent.add("R" + Codes.CAPABILITIES_EXCHANGE);
        sent.add("A" + Codes.CAPABILITIES_EXCHANGE);
        return pgw;
    }

    private DiameterMessage exchange(DiameterClient client, CcrBuilder ccr) throws Exception {
        return exchange(client, ccr.build(endToEnd.getAndIncrement()));
    }

    private DiameterMessage exchange(DiameterClient client, DiameterMessage request) throws Exception {
        DiameterMessage answer = client.send(request).get(10, TimeUnit.SECONDS);
        sent.add("R" + request.commandCode());
        sent.add("A" + answer.commandCode());
        return answer;
    }

    // ---------------------------------------------------------------- capture and dissection

    /** dumpcap on lo for the server's port; returns once it says it captures, or skips the test. */
    private void startCapture(int port, Path pcap) throws Exception {
        capture = new ProcessBuilder("dumpcap", "-q", "-i", "lo", "-f", "tcp port " + port, "-w", pcap.toString())
                .redirectErrorStream(true).start();
        CompletableFuture<Boolean> capturing = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(capture.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    captureLog.append(line).append('\n');
                    if (line.startsWith("Capturing on") || line.startsWith("File:")) {
                        capturing.complete(true);
                    }
                }
            } catch (IOException closed) {
                // the process is gone; what it said is in the log
            }
            capturing.complete(false);
        });
        boolean started;
        try {
            started = capturing.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException slow) {
            started = false;
        }
        RequiredTools.assumeUsable("dumpcap", started && capture.isAlive(),
                "cannot capture on lo (needs root or CAP_NET_RAW): " + captureLog);
        awaitPacketsInFile(pcap, port);
    }

    /**
     * dumpcap says "Capturing on" before its filter sees packets: on a loaded machine the first
     * CER and CCRs went by uncaptured. Knock on the port (a bare TCP connect, no Diameter in it)
     * until the file shows a packet, so the story starts only once capture is live.
     */
    private static void awaitPacketsInFile(Path pcap, int port) throws Exception {
        long deadline = System.currentTimeMillis() + CAPTURE_FLUSH_MILLIS_MAX;
        while (System.currentTimeMillis() < deadline) {
            try (java.net.Socket knock = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
                knock.setSoLinger(true, 0);
            }
            Thread.sleep(100);
            Optional<String> frames = ExternalPrograms.attempt(List.of("tshark", "-r", pcap.toString(), "-T", "fields",
                    "-e", "frame.number"), TSHARK_TIMEOUT);
            if (frames.map(f -> !f.isBlank()).orElse(false)) {
                return;
            }
        }
        throw new AssertionError("dumpcap captured nothing on port " + port + " within " + CAPTURE_FLUSH_MILLIS_MAX
                + " ms of saying it was capturing");
    }

    /**
     * Waits until the file holds every message sent, then SIGTERM. Stopping dumpcap right after
     * the traffic loses packets still on their way from the kernel (seen: an empty file after a
     * half-second run); once tshark reads them all from the file they are safe.
     */
    private void stopCapture(Path pcap, int port) throws Exception {
        long deadline = System.currentTimeMillis() + CAPTURE_FLUSH_MILLIS_MAX;
        while (System.currentTimeMillis() < deadline && capturedMessages(pcap, port) < sent.size()) {
            Thread.sleep(100);
        }
        capture.destroy();
        assertThat(capture.waitFor(10, TimeUnit.SECONDS)).as("dumpcap stops on SIGTERM").isTrue();
    }

    /** How many Diameter messages the file holds so far; 0 while tshark cannot read it (cut mid-packet). */
    private static int capturedMessages(Path pcap, int port) throws Exception {
        Optional<String> fields = ExternalPrograms.attempt(List.of("tshark", "-r", pcap.toString(), "-d",
                "tcp.port==" + port + ",diameter", "-Y", "diameter", "-T", "fields", "-E", "occurrence=a",
                "-E", "aggregator=;", "-e", "diameter.cmd.code"), TSHARK_TIMEOUT);
        return fields.map(f -> f.lines().filter(line -> !line.isBlank()).mapToInt(line -> line.split(";").length)
                .sum()).orElse(0);
    }

    /** Each dissected Diameter message as {"R272" or "A272", hop-by-hop}; a frame may carry several. */
    private List<String[]> dissectedMessages(Path pcap, int port) throws Exception {
        String fields = tshark(pcap, port, "-Y", "diameter", "-T", "fields", "-E", "occurrence=a", "-E",
                "aggregator=;", "-e", "diameter.flags", "-e", "diameter.cmd.code", "-e", "diameter.hopbyhopid");
        List<String[]> messages = new ArrayList<>();
        for (String line : fields.strip().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] columns = line.split("\t");
            String[] flags = columns[0].split(";");
            String[] commands = columns[1].split(";");
            String[] hops = columns[2].split(";");
            assertThat(commands).as("one flags, command and hop-by-hop per message in: " + line)
                    .hasSameSizeAs(flags).hasSameSizeAs(hops);
            for (int m = 0; m < commands.length; m++) {
                boolean request = (Integer.decode(flags[m]) & DiameterMessage.FLAG_REQUEST) != 0;
                messages.add(new String[] {(request ? "R" : "A") + commands[m], hops[m]});
            }
        }
        return messages;
    }

    private static void assertRequestsPairedWithAnswers(List<String[]> messages) {
        Map<String, Integer> open = new HashMap<>();
        for (String[] m : messages) {
            String key = m[0].substring(1) + "/" + m[1];
            open.merge(key, m[0].startsWith("R") ? 1 : -1, Integer::sum);
        }
        open.values().removeIf(count -> count == 0);
        assertThat(open).as("requests without an answer (+) or answers without a request (-), by command/hop-by-hop")
                .isEmpty();
    }

    /** "Data is empty" is a note on an empty grouped AVP; only the ones that are empty by design may carry it. */
    private static void assertOnlyIntendedEmptyAvps(String verbose) {
        String lastAvp = "";
        for (String line : verbose.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("AVP: ")) {
                lastAvp = trimmed;
            } else if (trimmed.contains("Data is empty")) {
                String avp = lastAvp;
                assertThat(EMPTY_ON_PURPOSE).as("empty AVP: " + avp).anyMatch(avp::contains);
            }
        }
    }

    private static String tshark(Path pcap, int port, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("tshark", "-r", pcap.toString(), "-d",
                "tcp.port==" + port + ",diameter"));
        command.addAll(List.of(options));
        return ExternalPrograms.run(command, TSHARK_TIMEOUT);
    }
}
