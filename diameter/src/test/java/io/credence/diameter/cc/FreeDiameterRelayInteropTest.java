package io.credence.diameter.cc;

import io.credence.diameter.ExternalPrograms;
import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.peer.LocalIdentity;
import io.credence.diameter.transport.DiameterClient;
import io.credence.ledger.Unit;
import io.credence.testkit.RequiresTools;
import io.credence.testkit.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static io.credence.diameter.cc.CcHarness.granted;
import static io.credence.diameter.cc.CcHarness.msccResult;
import static io.credence.diameter.cc.CcHarness.resultCode;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * freeDiameter, an implementation nobody here wrote, relays between a gateway and Credence:
 *
 * <pre>
 *   pgw.interop.test ──CER/CCR──▶ freeDiameterd ──CER/CCR──▶ ocs.credence.test
 *   (operator.test)               relay.interop.test          (credence.test)
 *                    ◀──CCA/RAR──  routes by realm/host ◀──CCA/RAR──
 * </pre>
 *
 * <p>freeDiameterd loads the credit-control dictionaries (dict_dcca, dict_dcca_3gpp), connects to
 * Credence itself (ConnectPeer, no TLS) and admits the gateway through its whitelist (acl_wl).
 * Both capability exchanges must complete; full sessions must be granted and charged through the
 * relay; an unknown subscriber must get 5030; Proxy-Info must come back; and Re-Auth and
 * Abort-Session must find the gateway behind the relay. Reported skipped where freeDiameterd or
 * the extensions are not installed ({@code .ci/run} installs them).
 */
@RequiresTools({"freeDiameterd", "freeDiameterd:dict_nasreq", "freeDiameterd:dict_dcca", "freeDiameterd:dict_dcca_3gpp",
        "freeDiameterd:acl_wl"})
class FreeDiameterRelayInteropTest {
    private static final String RELAY = "relay.interop.test";
    private static final LocalIdentity GATEWAY = new LocalIdentity("pgw.interop.test", "operator.test",
            List.of(new byte[] {127, 0, 0, 1}), 10415, "interop-pgw", 1);
    private static final long STARTUP_MILLIS_MAX = 10_000;

    @TempDir
    Path dir;
    private CcHarness h;
    private Process relay;
    private Path relayLog;
    private final AtomicLong endToEnd = new AtomicLong(1);
    private final List<DiameterMessage> serverRequests = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws Exception {
        try {
            if (h != null) {
                h.closeClients(); // the gateway says DPR to the relay first
            }
            if (relay != null && relay.isAlive()) {
                relay.destroy(); // SIGTERM: freeDiameterd sends DPR to its peers and exits
                if (!relay.waitFor(5, TimeUnit.SECONDS)) {
                    relay.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } finally {
            if (h != null) {
                h.close();
            }
        }
    }

    @Test
    void fullSessionsThroughTheRelayAreGrantedChargedAndAnswered() throws Exception {
        h = new CcHarness(dir.resolve("ledger"), CreditControlConfig.defaults(), Set.of(RELAY));
        String account = h.subscriber("491700000201", Unit.BYTES, 10_000_000);
        int relayPort = startRelay(h.server.port());
        DiameterClient pgw = h.connect(relayPort, GATEWAY, this::answerServerRequest);
        assertThat(pgw.originHost()).as("the gateway's CEA comes from the relay").isEqualTo(RELAY);
        assertThat(h.server.peers().hosts()).as("only the relay is connected to Credence").containsExactly(RELAY);

        String sid = "pgw.interop.test;relay;1";
        DiameterMessage i = send(pgw, ccr(sid, Codes.INITIAL_REQUEST, 0).msisdn("491700000201")
                .mscc(10, Unit.BYTES, 1_000_000L, null).mscc(20, Unit.BYTES, 500_000L, null));
        assertThat(resultCode(i)).as(this::relayLogTail).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(i.find(Codes.ORIGIN_HOST, 0).orElseThrow().utf8()).isEqualTo(CcHarness.OCS.originHost());
        assertThat(granted(i, 10)).isEqualTo(1_000_000);
        assertThat(granted(i, 20)).isEqualTo(500_000);
        assertThat(h.available(account, Unit.BYTES)).isEqualTo(8_500_000);

        Avp proxyInfo = CreditControlScenarioTest.proxyInfo("proxy.operator.test", "state-before-the-relay");
        DiameterMessage u = send(pgw, ccr(sid, Codes.UPDATE_REQUEST, 1).mscc(10, Unit.BYTES, 1_000_000L, 700_000L)
                .avp(proxyInfo));
        assertThat(msccResult(u, 10)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(granted(u, 10)).isEqualTo(1_000_000);
        assertThat(u.findAll(Codes.PROXY_INFO, 0)).as("Proxy-Info echoed through the relay").containsExactly(proxyInfo);

        DiameterMessage t = send(pgw, ccr(sid, Codes.TERMINATION_REQUEST, 2).mscc(10, Unit.BYTES, null, 300_000L)
                .mscc(20, Unit.BYTES, null, 100_000L));
        assertThat(resultCode(t)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(h.available(account, Unit.BYTES)).isEqualTo(10_000_000 - 700_000 - 300_000 - 100_000);
        assertThat(h.openReservations()).isZero();

        DiameterMessage unknown = send(pgw, ccr("pgw.interop.test;relay;2", Codes.INITIAL_REQUEST, 0)
                .msisdn("491709999999").mscc(10, Unit.BYTES, 1_000L, null));
        assertThat(resultCode(unknown)).as(this::relayLogTail).isEqualTo(Codes.DIAMETER_USER_UNKNOWN);
        assertThat(relayLogHas("ERROR")).as(() -> "freeDiameterd logged an error\n" + relayLogTail()).isFalse();
    }

    @Test
    void reAuthAndAbortFromCredenceReachTheGatewayBehindTheRelay() throws Exception {
        h = new CcHarness(dir.resolve("ledger"), CreditControlConfig.defaults(), Set.of(RELAY));
        String account = h.subscriber("491700000202", Unit.BYTES, 1_000_000);
        DiameterClient pgw = h.connect(startRelay(h.server.port()), GATEWAY, this::answerServerRequest);

        String sid = "pgw.interop.test;relay;3";
        DiameterMessage i = send(pgw, ccr(sid, Codes.INITIAL_REQUEST, 0).msisdn("491700000202")
                .mscc(10, Unit.BYTES, 100_000L, null));
        assertThat(resultCode(i)).as(this::relayLogTail).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(h.cc.reAuthorize(sid).get(10, TimeUnit.SECONDS)).as(this::relayLogTail)
                .isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(h.cc.abort(sid).get(10, TimeUnit.SECONDS)).as(this::relayLogTail)
                .isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(serverRequests).extracting(DiameterMessage::commandCode)
                .containsExactly(Codes.RE_AUTH, Codes.ABORT_SESSION);
        assertThat(serverRequests).allSatisfy(request -> {
            assertThat(request.find(Codes.SESSION_ID, 0).orElseThrow().utf8()).isEqualTo(sid);
            assertThat(request.find(Codes.DESTINATION_HOST, 0).orElseThrow().utf8()).isEqualTo(GATEWAY.originHost());
        });

        DiameterMessage t = send(pgw, ccr(sid, Codes.TERMINATION_REQUEST, 1).mscc(10, Unit.BYTES, null, 40_000L));
        assertThat(resultCode(t)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(h.available(account, Unit.BYTES)).isEqualTo(1_000_000 - 40_000);
        assertThat(relayLogHas("ERROR")).as(() -> "freeDiameterd logged an error\n" + relayLogTail()).isFalse();
    }

    /** The gateway's side of RAR and ASR: 2001, as a gateway that will report at once. */
    private DiameterMessage answerServerRequest(DiameterMessage request) {
        serverRequests.add(request);
        return request.answer(List.of(request.find(Codes.SESSION_ID, 0).orElseThrow(),
                Avps.unsigned32(Codes.RESULT_CODE, 0, true, Codes.DIAMETER_SUCCESS),
                Avps.utf8(Codes.ORIGIN_HOST, 0, true, GATEWAY.originHost()),
                Avps.utf8(Codes.ORIGIN_REALM, 0, true, GATEWAY.originRealm())));
    }

    private CcrBuilder ccr(String sessionId, int type, long number) {
        return CcrBuilder.request(sessionId, GATEWAY.originHost(), GATEWAY.originRealm(), CcHarness.OCS.originRealm(),
                type, number);
    }

    private DiameterMessage send(DiameterClient client, CcrBuilder ccr) throws Exception {
        return client.send(ccr.build(endToEnd.getAndIncrement())).get(10, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- freeDiameterd

    /**
     * Writes the relay's configuration, starts freeDiameterd and waits until it has exchanged
     * capabilities with Credence. Returns the port the gateway connects to.
     *
     * <p>freeDiameter 1.2.1 ignores a loopback ListenOn (it filters loopback addresses out of its
     * endpoints), so it listens on every address of the port; SecPort 0 and no TLS_Cred turn TLS off.
     */
    private int startRelay(int credencePort) throws Exception {
        Path extensions = Tools.freeDiameterExtensions("dict_dcca").orElseThrow(); // the others are beside it
        int port = ExternalPrograms.freeLoopbackPort();
        Path whitelist = dir.resolve("acl_wl.conf");
        Files.writeString(whitelist, "ALLOW_IPSEC " + GATEWAY.originHost() + "\n");
        Path config = dir.resolve("relay.conf");
        Files.writeString(config, String.join("\n",
                "Identity = \"" + RELAY + "\";",
                "Realm = \"interop.test\";",
                "Port = " + port + ";",
                "SecPort = 0;",
                "No_SCTP;",
                "No_IPv6;",
                "TcTimer = 1;",
                // dict_dcca builds on dict_nasreq; dict_dcca_3gpp on dict_dcca
                "LoadExtension = \"" + extensions.resolve("dict_nasreq.fdx") + "\";",
                "LoadExtension = \"" + extensions.resolve("dict_dcca.fdx") + "\";",
                "LoadExtension = \"" + extensions.resolve("dict_dcca_3gpp.fdx") + "\";",
                "LoadExtension = \"" + extensions.resolve("acl_wl.fdx") + "\" : \"" + whitelist + "\";",
                "ConnectPeer = \"" + CcHarness.OCS.originHost() + "\" { ConnectTo = \"127.0.0.1\"; Port = "
                        + credencePort + "; No_TLS; No_SCTP; Realm = \"" + CcHarness.OCS.originRealm() + "\"; };",
                ""));
        relayLog = dir.resolve("freeDiameterd.log");
        relay = new ProcessBuilder("freeDiameterd", "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(relayLog.toFile()).start();
        // Credence has accepted the relay's CER, and the relay has read the CEA: it routes to Credence now
        long deadline = System.currentTimeMillis() + STARTUP_MILLIS_MAX;
        while (!h.server.peers().hosts().contains(RELAY) || !relayLogHas("-> 'STATE_OPEN'", CcHarness.OCS.originHost())) {
            assertThat(relay.isAlive()).as(() -> "freeDiameterd exited\n" + relayLogTail()).isTrue();
            assertThat(System.currentTimeMillis()).as(() -> "freeDiameterd did not open its connection to Credence in "
                    + STARTUP_MILLIS_MAX + " ms\n" + relayLogTail()).isLessThan(deadline);
            Thread.sleep(20);
        }
        return port;
    }

    /** Whether a line of freeDiameterd's log holds all the parts, e.g. a peer's state change. */
    private boolean relayLogHas(String... parts) throws IOException {
        try (Stream<String> lines = Files.lines(relayLog, StandardCharsets.ISO_8859_1)) {
            return lines.anyMatch(line -> Stream.of(parts).allMatch(line::contains));
        }
    }

    /** The end of what freeDiameterd wrote, for assertion messages. */
    private String relayLogTail() {
        if (relayLog == null || !Files.exists(relayLog)) {
            return "(freeDiameterd not started)";
        }
        try (Stream<String> lines = Files.lines(relayLog, StandardCharsets.ISO_8859_1)) {
            List<String> all = lines.toList();
            return "freeDiameterd log:\n" + String.join("\n", all.subList(Math.max(0, all.size() - 80), all.size()));
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(freeDiameterd log unreadable: " + e.getMessage() + ")";
        }
    }
}
