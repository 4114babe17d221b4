package io.credence.diameter.transport;

import io.netty.channel.Channel;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Who may hold one of the listener's connection slots. Before its capabilities exchange a
 * connection is unidentified: anyone can open one, so a flood of them must not lock out the
 * configured peers. Hence:
 *
 * <ul>
 *   <li>a source outside the allowed ranges (when any are configured) is closed at once;</li>
 *   <li>one source address holds at most {@code connectionsPerAddressMax} slots;</li>
 *   <li>when every slot is taken, the oldest unidentified connection is closed to make room (a
 *       real peer sends its CER within milliseconds of connecting, so it is identified long
 *       before it could be the oldest); only when every slot holds an identified peer is a new
 *       connection refused;</li>
 *   <li>each unidentified connection is closed at an absolute deadline after accept (set by the
 *       caller), however slowly it trickles bytes.</li>
 * </ul>
 *
 * Channel initialisation runs on several event loops, so the table is guarded by this object's
 * monitor; nothing inside blocks.
 */
final class ConnectionGate {
    /** What to do with a new connection. */
    sealed interface Verdict {
        /** Take it; {@code evicted} (or null) is the unidentified connection closed to make room. */
        record Admitted(Channel evicted) implements Verdict {}

        record Refused(String reason) implements Verdict {}
    }

    private final int connectionsMax;
    private final int perAddressMax;
    private final List<AddressRange> allowedSources;
    private final Map<Channel, InetAddress> sources = new HashMap<>();
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    /** In accept order, so the first is the oldest. */
    private final LinkedHashSet<Channel> unidentified = new LinkedHashSet<>();

    ConnectionGate(int connectionsMax, int perAddressMax, List<AddressRange> allowedSources) {
        this.connectionsMax = connectionsMax;
        this.perAddressMax = perAddressMax;
        this.allowedSources = List.copyOf(allowedSources);
    }

    synchronized Verdict admit(Channel channel, InetAddress source) {
        if (!allowedSources.isEmpty() && allowedSources.stream().noneMatch(r -> r.contains(source))) {
            return new Verdict.Refused("source " + source.getHostAddress() + " is not in the allowed ranges");
        }
        int fromSource = perAddress.getOrDefault(source, 0);
        if (fromSource >= perAddressMax) {
            return new Verdict.Refused(fromSource + " connections are open from " + source.getHostAddress()
                    + " (the most one address may hold)");
        }
        Channel evicted = null;
        if (sources.size() >= connectionsMax) {
            if (unidentified.isEmpty()) {
                return new Verdict.Refused(connectionsMax + " connections are open, every one an identified peer");
            }
            evicted = unidentified.getFirst();
            forget(evicted);
        }
        sources.put(channel, source);
        perAddress.merge(source, 1, Integer::sum);
        unidentified.add(channel);
        assert sources.size() <= connectionsMax : "more connections than slots";
        return new Verdict.Admitted(evicted);
    }

    /** The connection completed its capabilities exchange: it is a configured peer now, never evicted. */
    synchronized void identified(Channel channel) {
        unidentified.remove(channel);
    }

    /** The connection is gone (its slot is free); harmless for one already evicted. */
    synchronized void closed(Channel channel) {
        forget(channel);
    }

    synchronized boolean isUnidentified(Channel channel) {
        return unidentified.contains(channel);
    }

    synchronized int open() {
        return sources.size();
    }

    synchronized int openUnidentified() {
        return unidentified.size();
    }

    private void forget(Channel channel) {
        InetAddress source = sources.remove(channel);
        if (source != null) {
            perAddress.computeIfPresent(source, (address, n) -> n == 1 ? null : n - 1);
        }
        unidentified.remove(channel);
    }
}
