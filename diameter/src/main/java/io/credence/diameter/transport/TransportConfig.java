package io.credence.diameter.transport;

import java.time.Duration;
import java.util.List;

/**
 * Every bound of the Diameter transport.
 *
 * @param messageBytesMax          largest frame read or written; a larger announced length ends the connection
 * @param inFlightPerPeerMax       requests of one peer being processed at once; past it: 3004 TOO_BUSY
 * @param connectionsMax           open connections; when full, a new one takes the place of the oldest
 *                                 connection that has not completed its capabilities exchange, and is
 *                                 closed at once if there is none
 * @param connectionsPerAddressMax open connections from one source address; past it new ones are closed
 * @param allowedSources           source addresses that may connect at all (empty: any); checked before
 *                                 anything is read
 * @param watchdogInterval         Tw (RFC 3539): a DWR after this long without traffic, close after
 *                                 another Tw without an answer
 * @param capabilitiesTimeout      how long after accept a connection may take to complete its CER; the
 *                                 deadline is absolute, bytes trickling in do not extend it
 * @param requestTimeout           how long a request we send (RAR, ASR, DWR, DPR) waits for its answer
 * @param tls                      TLS settings, or null for plain TCP
 */
public record TransportConfig(String host, int port, int messageBytesMax, int inFlightPerPeerMax, int connectionsMax,
                              int connectionsPerAddressMax, List<AddressRange> allowedSources,
                              Duration watchdogInterval, Duration capabilitiesTimeout, Duration requestTimeout,
                              TlsConfig tls) {
    public static final int DEFAULT_PORT = 3868;
    public static final int CONNECTIONS_MAX_DEFAULT = 256;
    /** A gateway opens a handful of connections; 32 leaves room for a pool behind one NAT address. */
    public static final int CONNECTIONS_PER_ADDRESS_MAX_DEFAULT = 32;
    public static final int CONNECTIONS_MAX_LIMIT = 65_536;

    public TransportConfig {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        if (messageBytesMax < 64 || messageBytesMax > 0xFF_FFFF) {
            throw new IllegalArgumentException("messageBytesMax must be 64..16777215, was " + messageBytesMax);
        }
        if (inFlightPerPeerMax < 1 || connectionsMax < 1 || connectionsPerAddressMax < 1) {
            throw new IllegalArgumentException("inFlightPerPeerMax, connectionsMax and connectionsPerAddressMax must be >= 1");
        }
        if (connectionsMax > CONNECTIONS_MAX_LIMIT || connectionsPerAddressMax > connectionsMax) {
            throw new IllegalArgumentException("connectionsMax must be at most " + CONNECTIONS_MAX_LIMIT
                    + " and connectionsPerAddressMax at most connectionsMax, were " + connectionsMax + " and "
                    + connectionsPerAddressMax);
        }
        allowedSources = List.copyOf(allowedSources);
        for (Duration d : new Duration[] {watchdogInterval, capabilitiesTimeout, requestTimeout}) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timers must be positive");
            }
        }
    }

    public static TransportConfig defaults(String host, int port) {
        return new TransportConfig(host, port, 65_536, 4_096, CONNECTIONS_MAX_DEFAULT,
                CONNECTIONS_PER_ADDRESS_MAX_DEFAULT, List.of(), Duration.ofSeconds(30), Duration.ofSeconds(10),
                Duration.ofSeconds(10), null);
    }

    public TransportConfig withTls(TlsConfig tls) {
        return new TransportConfig(host, port, messageBytesMax, inFlightPerPeerMax, connectionsMax,
                connectionsPerAddressMax, allowedSources, watchdogInterval, capabilitiesTimeout, requestTimeout, tls);
    }

    public TransportConfig withWatchdog(Duration interval) {
        return new TransportConfig(host, port, messageBytesMax, inFlightPerPeerMax, connectionsMax,
                connectionsPerAddressMax, allowedSources, interval, capabilitiesTimeout, requestTimeout, tls);
    }

    public TransportConfig withInFlightPerPeerMax(int max) {
        return new TransportConfig(host, port, messageBytesMax, max, connectionsMax, connectionsPerAddressMax,
                allowedSources, watchdogInterval, capabilitiesTimeout, requestTimeout, tls);
    }

    public TransportConfig withMessageBytesMax(int max) {
        return new TransportConfig(host, port, max, inFlightPerPeerMax, connectionsMax, connectionsPerAddressMax,
                allowedSources, watchdogInterval, capabilitiesTimeout, requestTimeout, tls);
    }

    /** @param perAddressMax at most {@code max} */
    public TransportConfig withConnections(int max, int perAddressMax) {
        return new TransportConfig(host, port, messageBytesMax, inFlightPerPeerMax, max, perAddressMax,
                allowedSources, watchdogInterval, capabilitiesTimeout, requestTimeout, tls);
    }

    public TransportConfig withAllowedSources(List<AddressRange> sources) {
        return new TransportConfig(host, port, messageBytesMax, inFlightPerPeerMax, connectionsMax,
                connectionsPerAddressMax, sources, watchdogInterval, capabilitiesTimeout, requestTimeout, tls);
    }

    public TransportConfig withCapabilitiesTimeout(Duration timeout) {
        return new TransportConfig(host, port, messageBytesMax, inFlightPerPeerMax, connectionsMax,
                connectionsPerAddressMax, allowedSources, watchdogInterval, timeout, requestTimeout, tls);
    }
}
