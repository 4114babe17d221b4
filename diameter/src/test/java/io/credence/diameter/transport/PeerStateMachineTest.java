package io.credence.diameter.transport;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DecodeResult;
import io.credence.diameter.codec.DiameterCodec;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.peer.LocalIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The peer state machine over real loopback sockets: capabilities exchange, watchdog both ways,
 * disconnect, duplicate connections, busy peers and malformed frames. The application behind the
 * transport is a plain function here: what is under test is the base protocol.
 */
class PeerStateMachineTest {
    static final LocalIdentity SERVER = new LocalIdentity("ocs.credence.test", "credence.test",
            List.of(new byte[] {127, 0, 0, 1}), 0, "credence", 1);
    static final LocalIdentity PGW = new LocalIdentity("pgw.operator.test", "operator.test",
            List.of(new byte[] {127, 0, 0, 1}), 10415, "test-pgw", 1);
    static final DiameterCodec CODEC = new DiameterCodec(65_536);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private DiameterServer server(TransportConfig config, ApplicationHandler app) throws Exception {
        DiameterServer server = DiameterServer.start(config, SERVER, Set.of(PGW.originHost(), "other.operator.test"), app);
        toClose.add(server);
        return server;
    }

    private DiameterServer server(ApplicationHandler app) throws Exception {
        return server(TransportConfig.defaults("127.0.0.1", 0), app);
    }

    private DiameterClient client(DiameterServer server, LocalIdentity identity) throws Exception {
        DiameterClient client = DiameterClient.connect("127.0.0.1", server.port(), identity, DiameterClient.Options.defaults(),
                request -> null);
        toClose.add(client);
        return client;
    }

    private static ApplicationHandler echo() {
        return (request, peer) -> CompletableFuture.completedFuture(request.answer(List.of(
                Avps.unsigned32(Codes.RESULT_CODE, 0, true, Codes.DIAMETER_SUCCESS))));
    }

    private static long resultCode(DiameterMessage answer) {
        return answer.find(Codes.RESULT_CODE, 0).map(Avp::unsigned32).orElseThrow();
    }

    private static DiameterMessage request(int command, long app, List<Avp> avps) {
        return new DiameterMessage(DiameterMessage.FLAG_REQUEST, command, app, 0, 77, avps);
    }

    @Test
    void configuredPeerCompletesCapabilitiesExchangeAndIsListed() throws Exception {
        DiameterServer server = server(echo());
        DiameterClient client = client(server, PGW);
        assertThat(client.originHost()).isEqualTo(SERVER.originHost());
        assertThat(server.peers().hosts()).containsExactly(PGW.originHost());
        DiameterMessage answer = client.send(request(Codes.CREDIT_CONTROL, 4, List.of())).get(5, TimeUnit.SECONDS);
        assertThat(resultCode(answer)).isEqualTo(Codes.DIAMETER_SUCCESS);
    }

    @Test
    void unknownPeerIsRefusedWith3010AndDisconnected() throws Exception {
        DiameterServer server = server(echo());
        LocalIdentity stranger = new LocalIdentity("stranger.test", "elsewhere.test", List.of(new byte[] {127, 0, 0, 1}),
                0, "x", 1);
        assertThatThrownBy(() -> DiameterClient.connect("127.0.0.1", server.port(), stranger,
                DiameterClient.Options.defaults(), r -> null))
                .isInstanceOfSatisfying(DiameterClient.CapabilitiesRefused.class, refused -> {
                    assertThat(refused.resultCode()).isEqualTo(Codes.DIAMETER_UNKNOWN_PEER);
                    assertThat(refused.answer().isError()).isTrue();
                });
        assertThat(server.peers().hosts()).isEmpty();
    }

    @Test
    void requestBeforeCapabilitiesExchangeClosesTheConnection() throws Exception {
        DiameterServer server = server(echo());
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(CODEC.encode(request(Codes.CREDIT_CONTROL, 4, List.of())));
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void watchdogRequestsAreAnsweredAndTheServerSendsItsOwnWhenIdle() throws Exception {
        DiameterServer server = server(TransportConfig.defaults("127.0.0.1", 0).withWatchdog(Duration.ofMillis(300)),
                echo());
        DiameterClient client = client(server, PGW);
        DiameterMessage dwa = client.send(request(Codes.DEVICE_WATCHDOG, 0, List.of(
                Avps.utf8(Codes.ORIGIN_HOST, 0, true, PGW.originHost()),
                Avps.utf8(Codes.ORIGIN_REALM, 0, true, PGW.originRealm())))).get(5, TimeUnit.SECONDS);
        assertThat(resultCode(dwa)).isEqualTo(Codes.DIAMETER_SUCCESS);
        // the client answers the server's DWRs itself, so an idle connection stays up for many Tw
        Thread.sleep(1_500);
        assertThat(client.isConnected()).isTrue();
        assertThat(server.peers().hosts()).containsExactly(PGW.originHost());
    }

    @Test
    void aPeerThatStopsAnsweringTheWatchdogIsDisconnected() throws Exception {
        DiameterServer server = server(TransportConfig.defaults("127.0.0.1", 0).withWatchdog(Duration.ofMillis(200)),
                echo());
        try (Socket socket = rawPeer(server)) {
            long start = System.nanoTime();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            DiameterMessage dwr = readMessage(in);
            assertThat(dwr.commandCode()).isEqualTo(Codes.DEVICE_WATCHDOG);
            assertThat(dwr.isRequest()).isTrue();
            // never answer: after a second Tw the server closes
            assertThat(in.read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
        waitUntil(() -> server.peers().hosts().isEmpty());
    }

    @Test
    void disconnectPeerIsAnsweredAndTheConnectionEnds() throws Exception {
        DiameterServer server = server(echo());
        DiameterClient client = client(server, PGW);
        client.disconnect(Codes.REBOOTING).get(5, TimeUnit.SECONDS);
        assertThat(client.isConnected()).isFalse();
        waitUntil(() -> server.peers().hosts().isEmpty());
    }

    @Test
    void aSecondConnectionFromTheSamePeerReplacesTheFirst() throws Exception {
        DiameterServer server = server(echo());
        DiameterClient first = client(server, PGW);
        DiameterClient second = client(server, PGW);
        first.closeFuture().get(5, TimeUnit.SECONDS);
        assertThat(second.isConnected()).isTrue();
        assertThat(server.peers().hosts()).containsExactly(PGW.originHost());
        DiameterMessage answer = second.send(request(Codes.CREDIT_CONTROL, 4, List.of())).get(5, TimeUnit.SECONDS);
        assertThat(resultCode(answer)).isEqualTo(Codes.DIAMETER_SUCCESS);
    }

    @Test
    void unsupportedApplicationAndCommandAreProtocolErrors() throws Exception {
        DiameterServer server = server(echo());
        DiameterClient client = client(server, PGW);
        DiameterMessage app = client.send(request(316, 16777251, List.of())).get(5, TimeUnit.SECONDS);
        assertThat(resultCode(app)).isEqualTo(Codes.DIAMETER_APPLICATION_UNSUPPORTED);
        assertThat(app.isError()).isTrue();
        DiameterMessage command = client.send(request(999, 0, List.of())).get(5, TimeUnit.SECONDS);
        assertThat(resultCode(command)).isEqualTo(Codes.DIAMETER_COMMAND_UNSUPPORTED);
    }

    @Test
    void pastTheInFlightLimitThePeerIsToldTooBusy() throws Exception {
        CompletableFuture<DiameterMessage> never = new CompletableFuture<>();
        List<DiameterMessage> held = new ArrayList<>();
        DiameterServer server = server(TransportConfig.defaults("127.0.0.1", 0).withInFlightPerPeerMax(2),
                (request, peer) -> {
                    synchronized (held) {
                        held.add(request);
                    }
                    return never.thenApply(x -> request.answer(List.of(
                            Avps.unsigned32(Codes.RESULT_CODE, 0, true, Codes.DIAMETER_SUCCESS))));
                });
        DiameterClient client = client(server, PGW);
        var first = client.send(request(Codes.CREDIT_CONTROL, 4, List.of()));
        var second = client.send(request(Codes.CREDIT_CONTROL, 4, List.of()));
        DiameterMessage third = client.send(request(Codes.CREDIT_CONTROL, 4, List.of())).get(5, TimeUnit.SECONDS);
        assertThat(resultCode(third)).isEqualTo(Codes.DIAMETER_TOO_BUSY);
        assertThat(third.isError()).isTrue();
        never.complete(null);
        assertThat(resultCode(first.get(5, TimeUnit.SECONDS))).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(resultCode(second.get(5, TimeUnit.SECONDS))).isEqualTo(Codes.DIAMETER_SUCCESS);
    }

    @Test
    void anAnswerWhoseFailedAvpIsTooLargeToSendKeepsItsResultCode() throws Exception {
        Avp huge = Avps.octets(Codes.USER_NAME, 0, true, new byte[CODEC.messageBytesMax()]);
        DiameterServer server = server((request, peer) -> CompletableFuture.completedFuture(request.answer(List.of(
                Avps.unsigned32(Codes.RESULT_CODE, 0, true, Codes.DIAMETER_INVALID_AVP_VALUE),
                Avps.grouped(Codes.FAILED_AVP, 0, true, List.of(huge))))));
        DiameterClient client = client(server, PGW);
        DiameterMessage answer = client.send(request(Codes.CREDIT_CONTROL, 4, List.of())).get(5, TimeUnit.SECONDS);
        // it used to become 5012 "answer too large", hiding why the request was refused
        assertThat(resultCode(answer)).isEqualTo(Codes.DIAMETER_INVALID_AVP_VALUE);
        assertThat(answer.find(Codes.FAILED_AVP, 0)).isEmpty();
    }

    @Test
    void anAvpWhoseLengthLiesIsAnsweredAndTheConnectionGoesOn() throws Exception {
        DiameterServer server = server(echo());
        try (Socket socket = rawPeer(server)) {
            byte[] frame = CODEC.encode(request(Codes.CREDIT_CONTROL, 4,
                    List.of(Avps.utf8(Codes.SESSION_ID, 0, true, "s;1"))));
            frame[20 + 7] = (byte) 200; // Session-Id claims 200 bytes
            frame[12] = 0; frame[13] = 0; frame[14] = 0; frame[15] = 9;
            socket.getOutputStream().write(frame);
            DiameterMessage answer = readMessage(new DataInputStream(socket.getInputStream()));
            assertThat(answer.hopByHop()).isEqualTo(9);
            assertThat(resultCode(answer)).isEqualTo(DiameterCodec.DIAMETER_INVALID_AVP_LENGTH);
            assertThat(answer.find(Codes.FAILED_AVP, 0)).isPresent();
            // still open: a well-formed request is served
            socket.getOutputStream().write(CODEC.encode(request(Codes.CREDIT_CONTROL, 4, List.of())));
            assertThat(resultCode(readMessage(new DataInputStream(socket.getInputStream()))))
                    .isEqualTo(Codes.DIAMETER_SUCCESS);
        }
    }

    @Test
    void aFrameThatCannotBeCutIsAnsweredThenTheConnectionCloses() throws Exception {
        DiameterServer server = server(echo());
        try (Socket socket = rawPeer(server)) {
            byte[] frame = CODEC.encode(request(Codes.CREDIT_CONTROL, 4, List.of()));
            frame[0] = 2; // version 2
            socket.getOutputStream().write(frame);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            DiameterMessage answer = readMessage(in);
            assertThat(resultCode(answer)).isEqualTo(DiameterCodec.DIAMETER_UNSUPPORTED_VERSION);
            assertThat(in.read()).isEqualTo(-1);
        }
        try (Socket socket = rawPeer(server)) {
            byte[] header = CODEC.encode(request(Codes.CREDIT_CONTROL, 4, List.of()));
            header[1] = 0x7F; // announces 8 MB, beyond the bound
            socket.getOutputStream().write(header);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            assertThat(resultCode(readMessage(in))).isEqualTo(DiameterCodec.DIAMETER_INVALID_MESSAGE_LENGTH);
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    /** A peer on a plain socket that completed CER/CEA and then does only what the test writes. */
    private Socket rawPeer(DiameterServer server) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        out.write(CODEC.encode(new DiameterMessage(DiameterMessage.FLAG_REQUEST, Codes.CAPABILITIES_EXCHANGE, 0, 1, 1,
                List.of(Avps.utf8(Codes.ORIGIN_HOST, 0, true, "other.operator.test"),
                        Avps.utf8(Codes.ORIGIN_REALM, 0, true, "operator.test"),
                        Avps.address(Codes.HOST_IP_ADDRESS, 0, true, new byte[] {127, 0, 0, 1}),
                        Avps.unsigned32(Codes.VENDOR_ID, 0, true, 0),
                        Avps.utf8(Codes.PRODUCT_NAME, 0, false, "raw"),
                        Avps.unsigned32(Codes.AUTH_APPLICATION_ID, 0, true, 4)))));
        DiameterMessage cea = readMessage(new DataInputStream(socket.getInputStream()));
        assertThat(resultCode(cea)).isEqualTo(Codes.DIAMETER_SUCCESS);
        return socket;
    }

    static DiameterMessage readMessage(DataInputStream in) throws IOException {
        byte[] head = new byte[4];
        in.readFully(head);
        int length = ((head[1] & 0xFF) << 16) | ((head[2] & 0xFF) << 8) | (head[3] & 0xFF);
        byte[] frame = new byte[length];
        System.arraycopy(head, 0, frame, 0, 4);
        in.readFully(frame, 4, length - 4);
        return ((DecodeResult.Decoded) CODEC.decode(frame)).message();
    }

    static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(20);
        }
    }

}
