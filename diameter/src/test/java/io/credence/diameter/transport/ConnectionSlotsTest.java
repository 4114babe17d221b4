package io.credence.diameter.transport;

import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.peer.LocalIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connection table under the slow-CER attack an adversarial test found: connections that
 * send one byte of a CER at a time held every slot, and a real gateway was refused for as long
 * as they stayed. Sockets are real; the attackers come from several loopback addresses
 * (127.0.0.10..19) so the per-address bound alone does not stop them.
 */
class ConnectionSlotsTest {
    private static final LocalIdentity SERVER = new LocalIdentity("ocs.credence.test", "credence.test",
            List.of(new byte[] {127, 0, 0, 1}), 0, "credence", 1);
    private static final LocalIdentity PGW = new LocalIdentity("pgw.operator.test", "operator.test",
            List.of(new byte[] {127, 0, 0, 1}), 10415, "test-pgw", 1);
    /** The first 20 bytes of a CER header: a plausible start that never completes. */
    private static final byte[] CER_START = {1, 0, 0, 100, (byte) 0x80, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1};

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private DiameterServer server(TransportConfig config) throws Exception {
        DiameterServer server = DiameterServer.start(config, SERVER, Set.of(PGW.originHost()),
                (request, peer) -> CompletableFuture.completedFuture(request.answer(List.of(
                        Avps.unsigned32(Codes.RESULT_CODE, 0, true, Codes.DIAMETER_SUCCESS)))));
        toClose.add(server);
        return server;
    }

    /** A connection from {@code source}, non-blocking once open so hundreds can be polled quickly. */
    private SocketChannel slowConnection(int port, String source) throws IOException {
        SocketChannel socket = SocketChannel.open();
        toClose.add(socket);
        socket.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        socket.configureBlocking(false);
        return socket;
    }

    /** Writes the next byte of a CER start; false once the server has closed the connection. */
    private static boolean trickle(SocketChannel socket, int nth) {
        try {
            socket.write(ByteBuffer.wrap(new byte[] {CER_START[nth % CER_START.length]}));
            return socket.read(ByteBuffer.allocate(64)) != -1; // the server never answers a partial CER
        } catch (IOException closed) {
            return false;
        }
    }

    @Test
    void aConfiguredPeerConnectsWhileThreeHundredSlowConnectionsTrickleTheirCer() throws Exception {
        DiameterServer server = server(TransportConfig.defaults("127.0.0.1", 0)
                .withCapabilitiesTimeout(Duration.ofSeconds(4)));
        List<SocketChannel> attackers = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            attackers.add(slowConnection(server.port(), "127.0.0." + (10 + i % 10)));
        }
        long start = System.nanoTime();
        for (int round = 0; round < 3; round++) { // a byte each, 300 ms apart: the old idle timer never fired
            for (SocketChannel attacker : attackers) {
                trickle(attacker, round);
            }
            Thread.sleep(300);
        }
        long stillOpen = attackers.stream().filter(s -> trickle(s, 3)).count();
        assertThat(stillOpen).as("slow connections holding a slot").isEqualTo(TransportConfig.CONNECTIONS_MAX_DEFAULT);

        DiameterClient gateway = DiameterClient.connect("127.0.0.1", server.port(), PGW,
                DiameterClient.Options.defaults(), request -> null);
        toClose.add(gateway);
        DiameterMessage answer = gateway.send(new DiameterMessage(DiameterMessage.FLAG_REQUEST, Codes.CREDIT_CONTROL,
                Codes.APP_CREDIT_CONTROL, 0, 1, List.of())).get(5, TimeUnit.SECONDS);
        assertThat(answer.find(Codes.RESULT_CODE, 0).orElseThrow().unsigned32()).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(server.peers().hosts()).containsExactly(PGW.originHost());

        // the deadline counts from accept: trickling does not buy time past it
        long deadline = start + TimeUnit.SECONDS.toNanos(8);
        long open;
        int round = 4;
        do {
            Thread.sleep(300);
            int nth = round++;
            open = attackers.stream().filter(s -> trickle(s, nth)).count();
        } while (open > 0 && System.nanoTime() < deadline);
        assertThat(open).as("slow connections left after the CER deadline").isZero();
        assertThat(gateway.isOpen()).as("the identified peer stays").isTrue();
    }

    @Test
    void oneAddressHoldsAtMostItsShareAndSourcesOutsideTheAllowedRangesAreClosedAtOnce() throws Exception {
        DiameterServer server = server(TransportConfig.defaults("127.0.0.1", 0).withConnections(64, 8)
                .withAllowedSources(List.of(AddressRange.parse("127.0.0.0/30"))));
        List<SocketChannel> fromOne = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            fromOne.add(slowConnection(server.port(), "127.0.0.2"));
        }
        Thread.sleep(200);
        assertThat(fromOne.stream().filter(s -> trickle(s, 0)).count()).isEqualTo(8);

        SocketChannel outside = slowConnection(server.port(), "127.0.0.9"); // 127.0.0.0/30 ends at .3
        Thread.sleep(200);
        assertThat(trickle(outside, 0)).as("a source outside the allowed ranges").isFalse();

        DiameterClient gateway = DiameterClient.connect("127.0.0.1", server.port(), PGW,
                DiameterClient.Options.defaults(), request -> null);
        toClose.add(gateway);
        assertThat(server.peers().hosts()).containsExactly(PGW.originHost());
    }

    @Test
    void addressRangesParseAndMatchIpv4AndIpv6AndNameTheirMistakes() throws Exception {
        AddressRange block = AddressRange.parse("10.20.0.0/15");
        assertThat(block.contains(InetAddress.getByName("10.21.255.1"))).isTrue();
        assertThat(block.contains(InetAddress.getByName("10.22.0.1"))).isFalse();
        assertThat(AddressRange.parse("192.0.2.7").contains(InetAddress.getByName("192.0.2.7"))).isTrue();
        assertThat(AddressRange.parse("2001:db8::/32").contains(InetAddress.getByName("2001:db8:ff::1"))).isTrue();
        assertThat(AddressRange.parse("2001:db8::/32").contains(InetAddress.getByName("10.0.0.1"))).isFalse();
        for (String bad : List.of("gateway.example", "10.0.0.0/33", "10.0.0.0/x", "")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> AddressRange.parse(bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad.isEmpty() ? "''" : bad);
        }
    }
}
