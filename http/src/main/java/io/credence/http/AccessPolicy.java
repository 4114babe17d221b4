package io.credence.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which roles may call what: the one place the HTTP port's authorisation lives.
 * <pre>
 * path                                   method        roles
 * /health, /health/live, /health/ready,  any           none needed (operators' probes and scrapers)
 * /metrics, /openapi.json
 * /console, /console/**                  any           none needed: the console's page and assets; its
 *                                                      sign-in checks the key itself, and its data comes
 *                                                      from /v1 under these same rules
 * /nchf-convergedcharging/**             any           network-function, admin
 * /v1/devices/**                         any           device, admin
 * /v1/shares/**                          any           network-function (base stations), admin
 * /v1/market/**                          GET, HEAD     admin, read-only, network-function, device
 * /v1/market/**                          other         admin, network-function (operators), device (terminals)
 * /v1/catalog/quote                      POST          admin, read-only, network-function (a quote
 *                                                      prices a hypothetical request and changes nothing)
 * /v1/**                                 GET, HEAD     admin, read-only, network-function
 * /v1/**                                 other         admin
 * anything else                          any           admin (so a 404 is only shown to a key holder)
 * </pre>
 * A network-function key reaches the share and market routes by its role; acting there for a base
 * station or a market operator also needs the key bound to that one ({@link Caller}).
 * The decision is taken on the path's segments percent-decoded one by one, as the API routes them
 * ({@code ProvisioningApi.pathSegments}), so an encoded segment cannot reach a route the plain one
 * could not.
 */
public final class AccessPolicy {
    /** What a request needs: nothing, or a key with one of these roles. */
    public sealed interface Rule {
        record Public() implements Rule {}

        record AnyOf(Set<Role> roles) implements Rule {
            public AnyOf {
                roles = Set.copyOf(roles);
                if (roles.isEmpty()) {
                    throw new IllegalArgumentException("a rule admits at least one role");
                }
            }
        }
    }

    private static final Set<String> PUBLIC_PATHS = Set.of("/health", "/health/live", "/health/ready", "/metrics",
            "/openapi.json");
    private static final Rule PUBLIC = new Rule.Public();
    private static final Rule ADMIN_ONLY = new Rule.AnyOf(EnumSet.of(Role.ADMIN));
    private static final Rule CHARGING = new Rule.AnyOf(EnumSet.of(Role.NETWORK_FUNCTION, Role.ADMIN));
    private static final Rule DEVICES = new Rule.AnyOf(EnumSet.of(Role.DEVICE, Role.ADMIN));
    private static final Rule MARKET = new Rule.AnyOf(EnumSet.of(Role.ADMIN, Role.NETWORK_FUNCTION, Role.DEVICE));
    private static final Rule MARKET_READERS = new Rule.AnyOf(EnumSet.of(Role.ADMIN, Role.READ_ONLY,
            Role.NETWORK_FUNCTION, Role.DEVICE));
    private static final Rule READERS = new Rule.AnyOf(EnumSet.of(Role.ADMIN, Role.READ_ONLY, Role.NETWORK_FUNCTION));

    private AccessPolicy() {}

    /** @param rawPath the request path as sent, before any decoding */
    public static Rule rule(String method, String rawPath) {
        if (PUBLIC_PATHS.contains(rawPath) || rawPath.equals("/console") || rawPath.startsWith("/console/")) {
            return PUBLIC;
        }
        String[] segments = rawPath.split("/", 4);
        if (segments.length < 2 || !segments[0].isEmpty()) {
            return ADMIN_ONLY;
        }
        String first = decoded(segments[1]);
        if (first.equals("nchf-convergedcharging")) {
            return CHARGING;
        }
        if (!first.equals("v1")) {
            return ADMIN_ONLY;
        }
        if (segments.length >= 3 && decoded(segments[2]).equals("devices")) {
            return DEVICES;
        }
        if (segments.length >= 3 && decoded(segments[2]).equals("shares")) {
            return CHARGING;
        }
        if (method.equals("POST") && segments.length == 4 && decoded(segments[2]).equals("catalog")
                && decoded(segments[3]).equals("quote")) {
            return READERS;
        }
        if (segments.length >= 3 && decoded(segments[2]).equals("market")) {
            return method.equals("GET") || method.equals("HEAD") ? MARKET_READERS : MARKET;
        }
        return method.equals("GET") || method.equals("HEAD") ? READERS : ADMIN_ONLY;
    }

    /** Whether {@code role} may do what {@code rule} guards. */
    public static boolean admits(Rule rule, Role role) {
        return switch (rule) {
            case Rule.Public p -> true;
            case Rule.AnyOf anyOf -> anyOf.roles().contains(role);
        };
    }

    private static String decoded(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        try {
            // '+' is a plus in a path, not a space
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return "\u0000malformed"; // matches no route name, so it falls to the strictest rule
        }
    }
}
