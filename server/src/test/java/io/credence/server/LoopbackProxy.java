package io.credence.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on loopback that a test controls: it forwards to the server, or drops every
 * connection (the network is gone), or delays every chunk it forwards (a bad radio link). The
 * target can change, so a restarted server on a new port is reached at the same address.
 */
final class LoopbackProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile int targetPort;
    private volatile boolean dropping;
    private volatile long delayMillis;

    LoopbackProxy(int targetPort) throws IOException {
        this(InetAddress.getLoopbackAddress(), 0, targetPort);
    }

    /** A proxy listening on a given loopback address and port (127.0.0.0/8 is all local on Linux). */
    LoopbackProxy(InetAddress bindAddress, int bindPort, int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new java.net.InetSocketAddress(bindAddress, bindPort), 128);
        Thread.ofVirtual().name("proxy-accept").start(this::acceptLoop);
    }

    int port() {
        return listener.getLocalPort();
    }

    void target(int port) {
        targetPort = port;
    }

    /** The network is gone: open connections are cut and new ones closed at once. */
    void cut() {
        dropping = true;
        for (Socket s : open) {
            closeQuietly(s);
        }
    }

    void restore() {
        dropping = false;
        delayMillis = 0;
    }

    /** Every chunk waits this long before it is forwarded, both ways. */
    void delay(long millis) {
        delayMillis = millis;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException closed) {
                return;
            }
            if (dropping) {
                closeQuietly(client);
                continue;
            }
            Socket server;
            try {
                server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
            } catch (IOException refused) {
                closeQuietly(client);
                continue;
            }
            open.add(client);
            open.add(server);
            Thread.ofVirtual().start(() -> pump(client, server));
            Thread.ofVirtual().start(() -> pump(server, client));
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                long delay = delayMillis;
                if (delay > 0) {
                    Thread.sleep(delay);
                }
                if (dropping) {
                    break;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException gone) {
            // one side closed or the proxy cut it: close the other
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        cut();
    }
}
