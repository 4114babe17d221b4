package io.credence.http;

import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Jetty with explicit bounds: a fixed worker pool and a cap on open connections (past it Jetty
 * stops accepting until one closes). Workers block while the ledger answers, so the pool size is
 * the HTTP concurrency; the ledger's own bounded queue turns any excess into 503 Busy. Jetty's job
 * queue is left to Jetty: bounding it would drop its internal selector tasks, which it warns
 * against, and the connection cap already bounds the jobs that can exist.
 *
 * <p>One cleartext connector speaks HTTP/1.1 and HTTP/2 (h2c), both by prior knowledge and by
 * the HTTP/1.1 {@code Upgrade: h2c} a client such as the JDK's sends: 5G network functions talk
 * HTTP/2 (TS 29.500). With a key store the connector speaks TLS instead and offers h2 and
 * HTTP/1.1 by ALPN (TS 33.501 section 13.1: the SBI is HTTP/2 over TLS). Streams per HTTP/2
 * connection are bounded like connections are.
 */
public record HttpServer(Server server, ServerConnector connector) implements AutoCloseable {
    /** Concurrent streams on one HTTP/2 connection; the worker pool still bounds what runs at once. */
    public static final int HTTP2_STREAMS_PER_CONNECTION_MAX = 128;

    /** A PKCS#12 key store to serve HTTPS with. */
    public record Tls(java.nio.file.Path keyStore, String password) {
        @Override
        public String toString() {
            return "Tls[keyStore=" + keyStore + ", password=***]"; // configs get logged; the password must not
        }
    }

    public static HttpServer start(String host, int port, Handler handler, int threadsMax, int connectionsMax)
            throws Exception {
        return start(host, port, handler, threadsMax, connectionsMax, null);
    }

    /** @param tls the key store for HTTPS, or null for plain HTTP */
    public static HttpServer start(String host, int port, Handler handler, int threadsMax, int connectionsMax, Tls tls)
            throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool(threadsMax, Math.min(8, threadsMax));
        pool.setName("credence-http");
        Server server = new Server(pool);
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        // An identity value may hold '/' or '%' (sent as %2F, %25). Jetty calls those ambiguous
        // because code that decodes the path before splitting it would misread them; the API
        // splits the raw path first (RequestInputs.pathSegments), so for it they are not.
        config.setUriCompliance(UriCompliance.DEFAULT.with("credence",
                UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR, UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING));
        HttpConnectionFactory http = new HttpConnectionFactory(config);
        ServerConnector connector;
        if (tls == null) {
            HTTP2CServerConnectionFactory h2c = new HTTP2CServerConnectionFactory(config);
            h2c.setMaxConcurrentStreams(HTTP2_STREAMS_PER_CONNECTION_MAX);
            connector = new ServerConnector(server, http, h2c);
        } else {
            // HTTPS offers HTTP/2 by ALPN ("h2", what 5G network functions speak on the SBI) and
            // HTTP/1.1 to clients that do not ask for it
            config.addCustomizer(new SecureRequestCustomizer());
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(tls.keyStore().toAbsolutePath().toString());
            ssl.setKeyStoreType("PKCS12");
            ssl.setKeyStorePassword(tls.password());
            // RFC 9113 section 9.2.2: h2 must not negotiate the cipher suites it blocks
            ssl.setCipherComparator(HTTP2Cipher.COMPARATOR);
            HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(config);
            h2.setMaxConcurrentStreams(HTTP2_STREAMS_PER_CONNECTION_MAX);
            ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory(h2.getProtocol(), http.getProtocol());
            alpn.setDefaultProtocol(http.getProtocol());
            connector = new ServerConnector(server, new SslConnectionFactory(ssl, alpn.getProtocol()), alpn, h2, http);
        }
        connector.setHost(host);
        connector.setPort(port);
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(connectionsMax, connector));
        server.setHandler(handler);
        // what Jetty answers itself (a malformed request line, header or percent-encoding, a header
        // block over the limit, a request no handler took, a handler that threw) is problem+json too
        server.setErrorHandler(new ProblemErrors());
        server.start();
        return new HttpServer(server, connector);
    }

    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
