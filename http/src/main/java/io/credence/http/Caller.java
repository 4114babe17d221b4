package io.credence.http;

import io.credence.http.ApiKeys.Principal;
import org.eclipse.jetty.server.Request;

/**
 * Who sent a request, for the routes where the caller acts for a market operator or a base station
 * (registering an operator, its contracts and settlements; data shares and relay allocation by a
 * base station). The role lets a key onto the route ({@link AccessPolicy}); this says for whom it
 * may act there: an admin key (or a server without keys, loopback only) for anyone, a
 * network-function key for the one principal its line in the keys file names, and for no one
 * without it.
 *
 * @param role      null when the server runs without API keys
 * @param principal null when the key names none
 */
record Caller(Role role, String keyName, Principal principal) {
    static Caller of(Request request) {
        return new Caller((Role) request.getAttribute(Authenticating.ROLE_ATTRIBUTE),
                (String) request.getAttribute(Authenticating.HOLDER_ATTRIBUTE),
                (Principal) request.getAttribute(Authenticating.PRINCIPAL_ATTRIBUTE));
    }

    /** An admin key, or any caller of a server run without keys. */
    boolean admin() {
        return role == null || role == Role.ADMIN;
    }

    /** Whether an operator may act through this key at all (its role); {@link #actFor} then says for which. */
    boolean mayActForOperators() {
        return admin() || role == Role.NETWORK_FUNCTION;
    }

    /** Refuses (403 wrong-principal, naming {@code field}) unless this caller may act for {@code kind:id}. */
    void actFor(Principal.Kind kind, String id, String field) {
        if (admin() || principal != null && principal.kind() == kind && principal.id().equals(id)) {
            return;
        }
        String whom = (kind == Principal.Kind.OPERATOR ? "operator '" : "base station '") + id + "'";
        throw new ApiError(403, "wrong-principal", field, principal == null
                ? "key '" + keyName + "' is bound to no principal, so it may not act for " + whom + ": give the "
                + "key its own line in the API keys file ending with '" + kind.fileName() + ":" + id + "'"
                : "key '" + keyName + "' acts for " + principal + ", not for " + whom);
    }
}
