package io.credence.diameter.transport;

import java.time.Duration;

/**
 * Every bound of the Diameter transport.
 *
 * @param messageBytesMax     largest frame read or written; a larger announced length ends the connection
 * @param inFlightPerPeerMax  requests of one peer being processed at once; past it: 3004 TOO_BUSY
 * @param connectionsMax      open connections; past it new ones are closed at once
 * @param watchdogInterval    Tw (RFC 3539): a DWR after this long without traffic, close after
 *                            another Tw without an answer
 * @param capabilitiesTimeout how long a new connection may take to send its CER
 * @param requestTimeout      how long a request we send (RAR, ASR, DWR, DPR) waits for its answer
 * @param tls                 TLS settings, or null for plain TCP
 */
public record TransportConfig(String host, int port, int messageBytesMax, int inFlightPerPeerMax, int connectionsMax,
                              Duration watchdogInterval, Duration capabilitiesTimeout, Duration requestTimeout,
                              TlsConfig tls) {
    public static final int DEFAULT_PORT = 3868;

    public TransportConfig {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        if (messageBytesMax < 64 || messageBytesMax > 0xFF_FFFF) {
            throw new IllegalArgumentException("messageBytesMax must be 64..16777215, was " + messageBytesMax);
        }
        if (inFlightPerPeerMax < 1 || connectionsMax < 1) {
            throw new IllegalArgumentException("inFlightPerPeerMax and connectionsMax must be >= 1");
        }
        for (Duration d : new Duration[] {watchdogInterval, capabilitiesTimeout, requestTimeout}) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timers must be positive");
            }
        }
    }

    public static TransportConfig defaults(String host, int port) {
        return new TransportConfig(host, port, 65_536, 4_096, 256, Duration.ofSeconds(30), Duration.ofSeconds(10),
                Duration.ofSeconds(10), null);
    }

    public TransportConfig withTls(TlsConfig tls) {
        return new TransportConfig(host, port, messageBytesMax, inFlightPerPeerMax, connectionsMax, watchdogInterval,
                capabilitiesTimeout, requestTimeout, tls);
    }

    public TransportConfig withWatchdog(Duration interval) {
        return new TransportConfig(host, port, messageBytesMax, inFlightPerPeerMax, connectionsMax, interval,
                capabilitiesTimeout, requestTimeout, tls);
    }

    public TransportConfig withInFlightPerPeerMax(int max) {
        return new TransportConfig(host, port, messageBytesMax, max, connectionsMax, watchdogInterval,
                capabilitiesTimeout, requestTimeout, tls);
    }
}
