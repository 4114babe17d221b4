package io.credence.server;

import io.credence.http.ApiKeys;
import io.credence.http.HttpServer;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Who may use the HTTP port and how it is encrypted.
 *
 * @param apiKeys the accepted keys, or null to serve without keys (loopback only)
 * @param tls     the HTTPS key store, or null for plain HTTP
 */
public record HttpAccess(ApiKeys apiKeys, HttpServer.Tls tls) {
    /** No keys, plain HTTP: what tests and the demo use on 127.0.0.1. */
    public static final HttpAccess OPEN = new HttpAccess(null, null);

    /**
     * Why serving on {@code host} this way is refused, or null when it is allowed: without keys
     * the API moves money for anyone who reaches it, so it stays on a loopback address.
     */
    public String refusal(String host) {
        if (apiKeys != null) {
            return null;
        }
        try {
            InetAddress address = InetAddress.getByName(host);
            return address.isLoopbackAddress() ? null : "the HTTP API needs --api-keys FILE to listen on " + host
                    + ", which is not a loopback address";
        } catch (UnknownHostException e) {
            return "--host is not an address: " + host;
        }
    }
}
