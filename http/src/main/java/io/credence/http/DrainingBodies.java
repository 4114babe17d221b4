package io.credence.http;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;

/**
 * Every answer waits for the rest of its request body before it ends ({@link RequestBodies}):
 * over HTTP/2 an answer that ends while the request stream is still open makes Jetty reset the
 * stream, and a client such as the JDK's then drops the answer ("RST_STREAM received Stream
 * cancelled") — a 404 or 401 to a POST lost that way. Doing it here covers every route and every
 * refusal, instead of each handler remembering to.
 */
public final class DrainingBodies extends Handler.Wrapper {
    public DrainingBodies(Handler next) {
        super(next);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Response draining = new Response.Wrapper(request, response) {
            @Override
            public void write(boolean last, ByteBuffer content, Callback written) {
                if (last) {
                    RequestBodies.drained(request);
                }
                super.write(last, content, written);
            }
        };
        Callback drainingCallback = new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                if (!response.isCommitted()) {
                    RequestBodies.drained(request); // an answer with no body of its own (204) ends here
                }
                super.succeeded();
            }
        };
        return super.handle(request, draining, drainingCallback);
    }
}
