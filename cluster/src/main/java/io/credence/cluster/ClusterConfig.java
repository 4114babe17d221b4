package io.credence.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * This node and its peers: {@code credence serve --cluster FILE}, a properties file.
 *
 * <pre>
 * group = credence-main          # the Raft group's name; the same on every node
 * self = n1                      # this node's id: one of the peers
 * peer.n1 = 10.0.0.1:9870        # every member, this node included: id = host:port (Raft traffic)
 * peer.n2 = 10.0.0.2:9870
 * peer.n3 = 10.0.0.3:9870
 * election.timeout.min.ms = 300  # optional: a follower stands for election after a random
 * election.timeout.max.ms = 600  # time in [min, max] without hearing from a leader
 * leader.connections = 1         # optional: connections to the leader, one entry in flight on each
 * </pre>
 *
 * @param snapshotEveryEntries Raft log entries between snapshots of the engine
 * @param electionTimeoutMinMillis the shortest time without a leader's heartbeat before a follower
 *        stands for election; a leader that has not heard from a majority for the longest steps down
 * @param leaderConnections connections (Ratis clients) this node sends its entries to the leader on,
 *        one entry in flight on each: Ratis' Netty transport answers a connection's requests one at
 *        a time, each once its entry is committed. While all are busy, submissions queue and the
 *        next entry takes everything queued.
 */
public record ClusterConfig(String group, String self, List<Peer> peers, Path storageDir, int queueMax,
                            int commandsPerEntryMax, int entryBytesMax,
                            long snapshotEveryEntries, int electionTimeoutMinMillis, int electionTimeoutMaxMillis,
                            int leaderConnections) {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,31}");
    /** A group of more than this many voters is not what this is built for (and costs every write). */
    public static final int PEERS_MAX = 7;

    public record Peer(String id, String host, int port) {
        public Peer {
            if (id == null || !ID.matcher(id).matches()) {
                throw new IllegalArgumentException("peer id must be 1-32 of [A-Za-z0-9_-], was " + id);
            }
            if (host == null || host.isBlank() || port < 1 || port > 65_535) {
                throw new IllegalArgumentException("peer " + id + ": host:port needed, was " + host + ":" + port);
            }
        }

        public String address() {
            return host + ":" + port;
        }
    }

    public ClusterConfig {
        if (group == null || !ID.matcher(group).matches()) {
            throw new IllegalArgumentException("group must be 1-32 of [A-Za-z0-9_-], was " + group);
        }
        peers = List.copyOf(peers);
        if (peers.isEmpty() || peers.size() > PEERS_MAX) {
            throw new IllegalArgumentException("1.." + PEERS_MAX + " peers needed, got " + peers.size());
        }
        if (peers.stream().map(Peer::id).distinct().count() != peers.size()) {
            throw new IllegalArgumentException("peer ids must differ: " + peers);
        }
        if (peers.stream().noneMatch(p -> p.id().equals(self))) {
            throw new IllegalArgumentException("self (" + self + ") is not one of the peers " + peers);
        }
        if (queueMax < 1 || commandsPerEntryMax < 1 || commandsPerEntryMax > queueMax || entryBytesMax < 4096
                || snapshotEveryEntries < 1) {
            throw new IllegalArgumentException("need 1 <= commandsPerEntryMax <= queueMax, entryBytesMax >= 4096, "
                    + "snapshotEveryEntries >= 1");
        }
        if (electionTimeoutMinMillis < 50 || electionTimeoutMaxMillis < electionTimeoutMinMillis * 3 / 2
                || electionTimeoutMaxMillis > 60_000) {
            throw new IllegalArgumentException("election.timeout.min.ms must be >= 50 and election.timeout.max.ms "
                    + "at least 1.5 times it (so two followers rarely stand at once) and <= 60000; were "
                    + electionTimeoutMinMillis + " and " + electionTimeoutMaxMillis);
        }
        if (leaderConnections < 1 || leaderConnections > LEADER_CONNECTIONS_MAX) {
            throw new IllegalArgumentException(LEADER_CONNECTIONS + " must be 1.." + LEADER_CONNECTIONS_MAX
                    + ", was " + leaderConnections);
        }
    }

    public static final int LEADER_CONNECTIONS_MAX = 64;
    public static final int LEADER_CONNECTIONS_DEFAULT = 1;

    public Peer selfPeer() {
        return peers.stream().filter(p -> p.id().equals(self)).findFirst().orElseThrow();
    }

    /**
     * Defaults for the bounds: queue 65,536 commands, 1,024 per entry, 1 MiB per entry; one
     * connection to the leader, so one entry in flight that takes everything queued behind it (at
     * 2,000 CCR/s on two cores, 1 connection gave p99 79-84 ms, 2 gave 119 ms, 4 gave 178 ms and 16
     * gave 236 ms: more entries cost Ratis more than they save; BENCHMARKS.md section 13). An
     * election after 300-600 ms without a leader: Ratis' own 150-300 ms made leaders on a loaded
     * two-core machine step down whenever a follower's answer was late by a GC pause, and a leader
     * that stepped down sits out the next elections. 500-1,000 ms named a dead leader's
     * replacement in 1.3 s at the median; 300-600 ms in 0.84 s, with no more elections than
     * leader changes forced (ClusterChaosIT, BENCHMARKS.md section 13).
     */
    public static ClusterConfig of(String group, String self, List<Peer> peers, Path storageDir) {
        return new ClusterConfig(group, self, peers, storageDir, 65_536, 1_024, 1 << 20, 100_000, 300, 600,
                LEADER_CONNECTIONS_DEFAULT);
    }

    public ClusterConfig withSnapshotEveryEntries(long entries) {
        return new ClusterConfig(group, self, peers, storageDir, queueMax, commandsPerEntryMax, entryBytesMax,
                entries, electionTimeoutMinMillis, electionTimeoutMaxMillis, leaderConnections);
    }

    public ClusterConfig withElectionTimeout(int minMillis, int maxMillis) {
        return new ClusterConfig(group, self, peers, storageDir, queueMax, commandsPerEntryMax, entryBytesMax,
                snapshotEveryEntries, minMillis, maxMillis, leaderConnections);
    }

    public ClusterConfig withLeaderConnections(int connections) {
        return new ClusterConfig(group, self, peers, storageDir, queueMax, commandsPerEntryMax, entryBytesMax,
                snapshotEveryEntries, electionTimeoutMinMillis, electionTimeoutMaxMillis, connections);
    }

    /** Reads the file described above; a bad line is refused naming its key. */
    public static ClusterConfig read(Path file, Path storageDir) throws IOException {
        Properties properties = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            properties.load(in);
        }
        Map<String, Peer> peers = new LinkedHashMap<>();
        for (String key : properties.stringPropertyNames().stream().sorted().toList()) {
            if (key.startsWith("peer.")) {
                String id = key.substring("peer.".length());
                String value = properties.getProperty(key).trim();
                int colon = value.lastIndexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException(file + ": " + key + " must be host:port, was '" + value + "'");
                }
                int port;
                try {
                    port = Integer.parseInt(value.substring(colon + 1));
                } catch (NumberFormatException notANumber) {
                    throw new IllegalArgumentException(file + ": " + key + " has no port number: '" + value + "'");
                }
                peers.put(id, new Peer(id, value.substring(0, colon), port));
            } else if (!List.of("group", "self", ELECTION_MIN, ELECTION_MAX, LEADER_CONNECTIONS).contains(key)) {
                throw new IllegalArgumentException(file + ": unknown key " + key + " (group, self, peer.<id>, "
                        + ELECTION_MIN + ", " + ELECTION_MAX + ", " + LEADER_CONNECTIONS + ")");
            }
        }
        ClusterConfig config = of(properties.getProperty("group", "credence").trim(),
                properties.getProperty("self", "").trim(), new ArrayList<>(peers.values()), storageDir);
        return config.withElectionTimeout(number(file, properties, ELECTION_MIN, "milliseconds",
                        config.electionTimeoutMinMillis()),
                number(file, properties, ELECTION_MAX, "milliseconds", config.electionTimeoutMaxMillis()))
                .withLeaderConnections(number(file, properties, LEADER_CONNECTIONS, "a number of connections",
                        config.leaderConnections()));
    }

    private static final String ELECTION_MIN = "election.timeout.min.ms";
    private static final String ELECTION_MAX = "election.timeout.max.ms";
    private static final String LEADER_CONNECTIONS = "leader.connections";

    private static int number(Path file, Properties properties, String key, String what, int otherwise) {
        String value = properties.getProperty(key);
        if (value == null) {
            return otherwise;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException(file + ": " + key + " must be " + what + ", was '" + value.trim() + "'");
        }
    }
}
