package io.credence.http;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.util.Set;

/**
 * Outermost handler: counts every request by route template, method and final status (refusals
 * by {@link Authenticating} included) and times it until the answer is written.
 */
public final class Observing extends Handler.Wrapper {
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    private final Metrics metrics;
    private final RouteTemplates routes;

    public Observing(Metrics metrics, Handler next) {
        super(next);
        this.metrics = metrics;
        this.routes = RouteTemplates.documented();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long started = System.nanoTime();
        String method = METHODS.contains(request.getMethod()) ? request.getMethod() : "OTHER";
        String route = routes.match(request.getHttpURI().getPath(), method);
        Callback counted = new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                metrics.httpRequest(route, method, response.getStatus(), System.nanoTime() - started);
                super.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                metrics.httpRequest(route, method, response.isCommitted() ? response.getStatus() : 500,
                        System.nanoTime() - started);
                super.failed(x);
            }
        };
        boolean handled = super.handle(request, response, counted);
        if (!handled) {
            metrics.httpRequest(route, method, 404, System.nanoTime() - started); // Jetty answers 404 itself
        }
        return handled;
    }
}
