package io.credence.nchf;

import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The client side of the SBI, for the requests this CHF makes itself (to the NRF, to a consumer's
 * notifyUri): HTTP/2 only, as TS 29.500 section 5.2.2 has network functions talk, over TLS with
 * ALPN for {@code https} and with prior knowledge (h2c) for {@code http}. A consumer built on
 * nghttp2 or Go's h2c accepts nothing else; an HTTP/1.1 upgrade, the JDK client's only way to h2c,
 * is not sent with a body at all. The HTTP/2 work is Jetty's client; connections and queued
 * requests per peer are bounded, and past the bound a request fails at once.
 *
 * <p>TLS trusts what the JVM trusts ({@code javax.net.ssl.trustStore}).
 */
public final class SbiClient implements AutoCloseable {
    /** An answer, its body read whole (bounded by {@link #BODY_MAX}). */
    public record Reply(int status, String contentType, byte[] body) {}

    /** The most of an answer's body kept; the NRF's profile and a problem body are a few kB. */
    public static final int BODY_MAX = 1 << 20;

    private final HttpClient client;

    private SbiClient(HttpClient client) {
        this.client = client;
    }

    /**
     * @param name            thread names start with it
     * @param queuedPerPeerMax requests waiting for a connection or stream per peer before more are refused
     */
    public static SbiClient start(String name, int queuedPerPeerMax, Duration connectTimeout) throws IOException {
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(new SslContextFactory.Client());
        QueuedThreadPool threads = new QueuedThreadPool(8, 1);
        threads.setName(name);
        threads.setDaemon(true);
        connector.setExecutor(threads);
        HttpClient client = new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client(connector)));
        client.setExecutor(threads);
        client.setConnectTimeout(connectTimeout.toMillis());
        client.setMaxConnectionsPerDestination(2);
        client.setMaxRequestsQueuedPerDestination(queuedPerPeerMax);
        client.setUserAgentField(null);
        try {
            client.start();
        } catch (Exception failed) {
            throw new IOException("the SBI client did not start: " + failed, failed);
        }
        return new SbiClient(client);
    }

    /**
     * Sends and completes with the answer, or exceptionally: the peer unreachable, the timeout
     * passed, or too many requests already queued for that peer.
     *
     * @param body null for none
     */
    public CompletableFuture<Reply> send(String method, URI uri, String contentType, byte[] body, Duration timeout) {
        Request request = client.newRequest(uri).method(method).timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .headers(h -> h.put("Accept", "application/json, application/problem+json"));
        if (body != null) {
            request.body(new BytesRequestContent(contentType, body));
        }
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        request.send(new BufferingResponseListener(BODY_MAX) {
            @Override
            public void onComplete(org.eclipse.jetty.client.Result result) {
                if (result.isFailed()) {
                    reply.completeExceptionally(result.getFailure());
                } else {
                    reply.complete(new Reply(result.getResponse().getStatus(), getMediaType(), getContent()));
                }
            }
        });
        return reply;
    }

    /** {@link #send} and wait for it; a failure comes as an IOException saying what it was. */
    public Reply call(String method, URI uri, String contentType, byte[] body, Duration timeout)
            throws IOException, InterruptedException {
        try {
            return send(method, uri, contentType, body, timeout).get();
        } catch (ExecutionException failed) {
            Throwable cause = failed.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause.toString(), cause);
        }
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception e) {
            System.getLogger(SbiClient.class.getName()).log(System.Logger.Level.WARNING, "SBI client stop: " + e);
        }
    }
}
