package io.credence.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The cluster file: what it sets, and that a bad line is refused naming its key. */
class ClusterConfigTest {
    private static final String THREE_NODES = """
            group = main
            self = n2
            peer.n1 = 10.0.0.1:9870
            peer.n2 = 10.0.0.2:9870
            peer.n3 = 10.0.0.3:9870
            """;

    @TempDir
    Path dir;

    private ClusterConfig read(String text) throws IOException {
        Path file = dir.resolve("cluster.properties");
        Files.writeString(file, text);
        return ClusterConfig.read(file, dir.resolve("raft"));
    }

    @Test
    void aFileWithOnlyThePeersGetsTheDefaults() throws IOException {
        ClusterConfig config = read(THREE_NODES);

        assertThat(config.group()).isEqualTo("main");
        assertThat(config.selfPeer()).isEqualTo(new ClusterConfig.Peer("n2", "10.0.0.2", 9870));
        assertThat(config.peers()).extracting(ClusterConfig.Peer::id).containsExactly("n1", "n2", "n3");
        assertThat(config.electionTimeoutMinMillis()).isEqualTo(300);
        assertThat(config.electionTimeoutMaxMillis()).isEqualTo(600);
        assertThat(config.leaderConnections()).isEqualTo(ClusterConfig.LEADER_CONNECTIONS_DEFAULT);
    }

    @Test
    void theOptionalKeysAreRead() throws IOException {
        ClusterConfig config = read(THREE_NODES + """
                election.timeout.min.ms = 500
                election.timeout.max.ms = 900
                leader.connections = 3
                """);

        assertThat(config.electionTimeoutMinMillis()).isEqualTo(500);
        assertThat(config.electionTimeoutMaxMillis()).isEqualTo(900);
        assertThat(config.leaderConnections()).isEqualTo(3);
    }

    @Test
    void badLinesAreRefusedNamingTheirKey() {
        assertThatThrownBy(() -> read(THREE_NODES + "leader.connections = many\n"))
                .hasMessageContaining("leader.connections must be a number of connections, was 'many'");
        assertThatThrownBy(() -> read(THREE_NODES + "leader.connections = 0\n"))
                .hasMessageContaining("leader.connections must be 1..64, was 0");
        assertThatThrownBy(() -> read(THREE_NODES + "election.timeout.min.ms = soon\n"))
                .hasMessageContaining("election.timeout.min.ms must be milliseconds, was 'soon'");
        assertThatThrownBy(() -> read(THREE_NODES + "election.timeout.max.ms = 400\n"))
                .hasMessageContaining("at least 1.5 times it");
        assertThatThrownBy(() -> read(THREE_NODES + "leader.connection = 2\n"))
                .hasMessageContaining("unknown key leader.connection");
        assertThatThrownBy(() -> read(THREE_NODES.replace("self = n2", "self = n9")))
                .hasMessageContaining("self (n9) is not one of the peers");
    }
}
