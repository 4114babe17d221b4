package io.credence.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code credence cluster ...} refusals: a bad cluster file named, a group nobody answers for. */
class ClusterCommandTest {
    @TempDir
    Path dir;

    @Test
    void aClusterFileThatCannotBeReadIsAUsageErrorNamingTheOptionAndTheKey() throws Exception {
        CommandLineRunner.Run missing = CommandLineRunner.run("cluster", "status", "--cluster",
                dir.resolve("absent.properties").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("--cluster").contains("absent.properties");

        Path bad = dir.resolve("bad.properties");
        Files.writeString(bad, "group = g\nself = n1\npeer.n1 = 127.0.0.1\n");
        CommandLineRunner.Run noPort = CommandLineRunner.run("cluster", "add", "--cluster", bad.toString(),
                "--id", "n2", "--address", "127.0.0.1:1");
        assertThat(noPort.exitCode()).isEqualTo(2);
        assertThat(noPort.err()).contains("--cluster").contains("peer.n1 must be host:port");
    }

    @Test
    void aGroupWithNoMemberAnsweringIsReportedUnreachable() throws Exception {
        Path file = dir.resolve("cluster.properties");
        Files.writeString(file, "group = g\nself = n1\npeer.n1 = 127.0.0.1:" + io.credence.testkit.Ports.freeBelowEphemeralRange()
                + "\npeer.n2 = 127.0.0.1:" + io.credence.testkit.Ports.freeBelowEphemeralRange() + "\n");
        CommandLineRunner.Run status = CommandLineRunner.run("cluster", "status", "--cluster", file.toString());
        assertThat(status.exitCode()).isEqualTo(Main.EXIT_UNREACHABLE);
        assertThat(status.out()).contains("n1").contains("n2").contains("UNREACHABLE");

        CommandLineRunner.Run remove = CommandLineRunner.run("cluster", "remove", "--cluster", file.toString(),
                "--id", "n2");
        assertThat(remove.exitCode()).isEqualTo(Main.EXIT_UNREACHABLE);
        assertThat(remove.err()).contains("no member of [n1, n2] answered");
    }
}
