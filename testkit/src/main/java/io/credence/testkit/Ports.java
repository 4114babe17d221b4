package io.credence.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/** Ports for servers a test names before they start (peers that must know each other's address). */
public final class Ports {
    private Ports() {}

    /**
     * A free port below Linux's ephemeral range (32768-60999). A port the kernel hands out for
     * port 0 lies in that range, and may be taken meanwhile as the source port of another node's
     * connection attempt, before the server that was meant to bind it does.
     */
    public static int freeBelowEphemeralRange() throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = 20_000 + ThreadLocalRandom.current().nextInt(12_000);
            try (ServerSocket socket = new ServerSocket(port)) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // another one
            }
        }
        throw new IOException("no free port in 20000-31999 after 200 tries");
    }
}
