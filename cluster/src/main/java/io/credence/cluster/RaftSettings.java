package io.credence.cluster;

import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.TimeDuration;

import java.util.List;
import java.util.concurrent.TimeUnit;

/** How this node's Ratis server and its clients are configured, and why each setting differs from Ratis' default. */
final class RaftSettings {
    private RaftSettings() {}

    static RaftProperties of(ClusterConfig config) {
        RaftProperties properties = new RaftProperties();
        // Ratis' Netty transport handles each request on its event loop until it is answered, so a
        // node's entries and the leader's appends wait behind each other (BENCHMARKS.md section 13:
        // hundreds of ms at 2,000 CCR/s). Its gRPC transport streams them, but in Ratis 3.3.0 it
        // never sent the log to a follower whose storage was set aside (DamagedFollowerDiskTest).
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.NETTY);
        NettyConfigKeys.Server.setHost(properties, config.selfPeer().host());
        NettyConfigKeys.Server.setPort(properties, config.selfPeer().port());
        RaftServerConfigKeys.setStorageDir(properties, List.of(config.storageDir().toFile()));
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties,
                TimeDuration.valueOf(config.electionTimeoutMinMillis(), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties,
                TimeDuration.valueOf(config.electionTimeoutMaxMillis(), TimeUnit.MILLISECONDS));
        // A leader that stepped down sits out elections this long (Ratis: 10 s). When it holds the
        // longest log, the others cannot win without it, and the group would wait the whole time.
        RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(properties,
                TimeDuration.valueOf(config.electionTimeoutMaxMillis(), TimeUnit.MILLISECONDS));
        // A member being added must show progress (a snapshot installed, entries appended) within
        // this time or the change fails; Ratis' default (its election timeout) failed under load.
        RaftServerConfigKeys.setStagingTimeout(properties, TimeDuration.valueOf(10, TimeUnit.SECONDS));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, config.snapshotEveryEntries());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(properties, 2);
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, TimeDuration.valueOf(3, TimeUnit.SECONDS));
        return properties;
    }
}
