package io.credence.http;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Serves several APIs on one port: a request whose raw path starts with a route's prefix goes to
 * that route's handler, every other request to the fallback (the provisioning API, which answers
 * unknown paths with its own 404). Raw path, because the APIs split and decode paths themselves.
 */
public final class PrefixRouter extends Handler.Abstract {
    public record Route(String prefix, Handler handler) {
        public Route {
            if (prefix == null || !prefix.startsWith("/") || !prefix.endsWith("/")) {
                throw new IllegalArgumentException("a route prefix starts and ends with '/': " + prefix);
            }
        }
    }

    private final Route route;
    private final Handler fallback;

    public PrefixRouter(Route route, Handler fallback) {
        this.route = route;
        this.fallback = fallback;
        addBean(route.handler());
        addBean(fallback);
    }

    @Override
    public void setServer(org.eclipse.jetty.server.Server server) {
        super.setServer(server);
        route.handler().setServer(server);
        fallback.setServer(server);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        Handler target = path != null && path.startsWith(route.prefix()) ? route.handler() : fallback;
        return target.handle(request, response, callback);
    }
}
