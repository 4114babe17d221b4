package io.credence.http;

import org.eclipse.jetty.server.Request;

/**
 * Request bodies nobody reads. An answer that ends an HTTP/2 stream whose request side is still
 * open makes Jetty reset the stream, and some clients (the JDK's) then drop the answer; so a
 * handler that answers without reading a body (a refusal, a 404, a 405) drains it first.
 */
public final class RequestBodies {
    private RequestBodies() {}

    /** How long a client may take to send the rest of a body nobody will read. */
    private static final long DRAIN_WAIT_MILLIS = 5_000;

    /**
     * Reads and drops what is left of a request body, up to the API's body limit
     * ({@code RequestInputs.BODY_BYTES_MAX}): an HTTP/2 client whose request stream is still open
     * when the answer ends gets the stream reset, and some (the JDK's) then drop the answer; an
     * empty or already read body costs nothing. Blocks the worker, as the API does while the
     * ledger answers. False when the body was larger, failed or did not come in time.
     */
    public static boolean drained(Request request) {
        if (request.getLength() == 0) {
            return true;
        }
        long seen = 0;
        while (seen <= RequestInputs.BODY_BYTES_MAX) {
            org.eclipse.jetty.io.Content.Chunk chunk = request.read();
            if (chunk == null) {
                java.util.concurrent.CompletableFuture<Void> more = new java.util.concurrent.CompletableFuture<>();
                request.demand(() -> more.complete(null));
                try {
                    more.get(DRAIN_WAIT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    return false;
                }
                continue;
            }
            if (org.eclipse.jetty.io.Content.Chunk.isFailure(chunk)) {
                return false;
            }
            seen += chunk.remaining();
            boolean last = chunk.isLast();
            chunk.release();
            if (last) {
                return true;
            }
        }
        return false;
    }
}
