package io.credence.diameter.transport;

import io.credence.diameter.codec.Codes;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open peers by Origin-Host. One connection per peer: when a peer that is already connected
 * completes a new capabilities exchange, the new connection wins and the old one is sent DPR and
 * closed. Credence only accepts connections, so the RFC 6733 election between a connection we
 * initiated and one we accepted cannot arise; a second accepted connection from the same host
 * means the peer restarted or failed over while the old transport is half-open, and keeping the
 * old one would strand its traffic until the watchdog noticed.
 */
public final class PeerTable {
    private final ConcurrentHashMap<String, Connection> open = new ConcurrentHashMap<>();

    void opened(Connection connection) {
        Connection previous = open.put(connection.originHost(), connection);
        if (previous != null && previous != connection) {
            previous.disconnect(Codes.DO_NOT_WANT_TO_TALK_TO_YOU);
        }
    }

    void closed(Connection connection) {
        open.remove(connection.originHost(), connection);
    }

    public Optional<Peer> find(String originHost) {
        return Optional.ofNullable(open.get(originHost));
    }

    /** Every open peer's connection, by Origin-Host. */
    public List<Peer.PeerStatus> statuses() {
        return open.values().stream().map(Connection::status)
                .sorted(java.util.Comparator.comparing(Peer.PeerStatus::originHost)).toList();
    }

    public List<String> hosts() {
        return List.copyOf(open.keySet());
    }
}
