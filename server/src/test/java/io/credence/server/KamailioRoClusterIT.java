package io.credence.server;

import io.credence.testkit.RequiresTools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.credence.server.KamailioScscf.STOP_ANSWERED;
import static io.credence.server.KamailioScscf.STOP_REFUSED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kamailio's {@code ims_charging}, unchanged, as the S-CSCF of a three-node group: its Ro peer is a
 * follower, which hands every CCR to the leader. The call is charged at the tariff for the seconds
 * Kamailio reported, once, and every replica shows the same balance with nothing left reserved.
 * Skipped, saying what is missing, where Kamailio, its IMS modules or SIPp are not installed.
 */
@RequiresTools({"kamailio", "kamailio:ims_charging", "kamailio:ims_dialog", "kamailio:cdp", "kamailio:cdp_avp", "sipp"})
class KamailioRoClusterIT {

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;
    private ProxiedCluster cluster;
    private KamailioScscf scscf;

    @RegisterExtension
    final TestWatcher transcriptOnFailure = KamailioScscf.transcriptOnFailure(() -> dir);

    @AfterEach
    void stop() throws Exception {
        if (scscf != null) {
            scscf.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aCallThroughAFollowerIsChargedOnceOnEveryReplica() throws Exception {
        Path catalog = dir.resolve("catalog.json");
        try (InputStream in = getClass().getResourceAsStream("/interop/kamailio/catalog.json")) {
            Files.copy(in, catalog);
        }
        cluster = new ProxiedCluster(dir, "--catalog", catalog.toString(), "--diameter-peer", KamailioScscf.HOST,
                "--origin-host", KamailioScscf.OCS_HOST, "--origin-realm", KamailioScscf.OCS_REALM);
        cluster.startAll();
        int follower = (cluster.awaitLeader(List.of(0, 1, 2)) + 1) % 3;
        KamailioRoInteropIT.subscriber(new Http(cluster.node(follower).port, Duration.ofSeconds(20)), "alice", 1_000);

        scscf = KamailioScscf.start(dir, cluster.node(follower).diameterPort);
        Path log = dir.resolve("server-" + ProxiedCluster.IDS.get(follower) + ".log");
        scscf.awaitConnected(log);

        KamailioScscf.Call call = scscf.call("alice", "bob", Duration.ofSeconds(12));
        assertThat(call.exitCode()).as(call::transcript).isZero();
        KamailioScscf.Usage usage = scscf.awaitFinalReport();
        assertThat(scscf.log()).as("the CCR-T was answered 2001").contains(STOP_ANSWERED).doesNotContain(STOP_REFUSED);
        assertThat(usage.interims()).as("CCR-Us as each grant ran low").isNotEmpty();
        for (int node = 0; node < 3; node++) {
            var balance = KamailioRoInteropIT.moneyBalance(new Http(cluster.node(node).port, Duration.ofSeconds(20)),
                    "alice");
            long charged = KamailioRoInteropIT.price(usage.total());
            assertThat(balance.path("available").asLong()).as("through %s: 1000 cents less %d s at the tariff",
                    ProxiedCluster.IDS.get(node), usage.total()).isEqualTo(1_000 - charged);
            assertThat(balance.path("reserved").asLong()).isZero();
        }
    }
}
