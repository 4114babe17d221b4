package io.credence.http;

import org.eclipse.jetty.server.Request;

import java.util.function.Supplier;

/** The two ways a provisioning route does not match: no such resource (404), or not with that method (405). */
final class Routes {
    private Routes() {}

    /** The handler's reply when the method is {@code allowed}, else 405 naming the one allowed. */
    static Reply only(String method, String allowed, Supplier<Reply> handler) {
        if (!method.equals(allowed)) {
            throw methodNotAllowed(allowed);
        }
        return handler.get();
    }

    static ApiError methodNotAllowed(String allowed) {
        return new ApiError(405, "method-not-allowed", null, "allowed: " + allowed);
    }

    static ApiError notFound(Request request) {
        return new ApiError(404, "not-found", null, "no resource at " + request.getHttpURI().getPath());
    }
}
