package io.credence.diameter.transport;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.credence.diameter.transport.PeerStateMachineTest.CODEC;
import static io.credence.diameter.transport.PeerStateMachineTest.PGW;
import static io.credence.diameter.transport.PeerStateMachineTest.SERVER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Diameter over TLS (RFC 6733 13): a key store made by the JDK's keytool, a server configured
 * with it, a client that completes the handshake, the capabilities exchange and a request; a
 * plain-TCP peer gets nothing useful from a TLS port.
 */
class TlsTransportTest {
    @TempDir
    Path dir;

    @Test
    void capabilitiesAndRequestsGoOverTlsAndPlainTcpIsNotUnderstood() throws Exception {
        Path store = dir.resolve("ocs.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "ocs", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=ocs.credence.test", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();

        TransportConfig config = TransportConfig.defaults("127.0.0.1", 0)
                .withTls(new TlsConfig(store, "changeit".toCharArray()));
        try (DiameterServer server = DiameterServer.start(config, SERVER, Set.of(PGW.originHost()),
                (request, peer) -> CompletableFuture.completedFuture(request.answer(List.of(
                        Avps.unsigned32(Codes.RESULT_CODE, 0, true, Codes.DIAMETER_SUCCESS)))));
             DiameterClient client = DiameterClient.connect("127.0.0.1", server.port(), PGW,
                     DiameterClient.Options.defaults().withTls(true), r -> null)) {
            assertThat(client.originHost()).isEqualTo(SERVER.originHost());
            DiameterMessage answer = client.send(new DiameterMessage(DiameterMessage.FLAG_REQUEST,
                    Codes.CREDIT_CONTROL, 4, 0, 1, List.of())).get(5, TimeUnit.SECONDS);
            assertThat(answer.find(Codes.RESULT_CODE, 0).map(Avp::unsigned32)).contains(Codes.DIAMETER_SUCCESS);

            try (Socket plain = new Socket("127.0.0.1", server.port())) {
                plain.setSoTimeout(5_000);
                plain.getOutputStream().write(CODEC.encode(new DiameterMessage(DiameterMessage.FLAG_REQUEST,
                        Codes.CAPABILITIES_EXCHANGE, 0, 1, 1, List.of(Avps.utf8(Codes.ORIGIN_HOST, 0, true, "x")))));
                byte[] reply = plain.getInputStream().readNBytes(20);
                // whatever comes back (a TLS alert, or nothing) is not a Diameter answer
                assertThat(reply.length < 20 || reply[0] != 1).isTrue();
            }
        }
    }
}
