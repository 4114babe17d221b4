package io.credence.cluster;

import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The operator's handle on a running group ({@code credence cluster status|add|remove}): what each
 * member says of itself, and membership changes through Raft's joint consensus (Ratis'
 * setConfiguration), so the group keeps serving while it grows or shrinks. It talks Raft's own
 * protocol to the members named in the cluster file and those the group's configuration adds.
 */
public final class ClusterAdmin implements AutoCloseable {
    private final ClusterConfig config;
    private final RaftGroup group;
    private final RaftClient client;

    /** One member as it answered (or why it did not). */
    public record MemberStatus(String id, String address, boolean reachable, String role, String leader,
                               long lastEntryTerm, long commitIndex, long appliedIndex, long snapshotIndex,
                               String stateDigest, long digestIndex, String error) {
        static MemberStatus unreachable(String id, String address, String why) {
            return new MemberStatus(id, address, false, "UNREACHABLE", "", -1, -1, -1, -1, "", -1, why);
        }
    }

    public ClusterAdmin(ClusterConfig config) {
        this.config = config;
        this.group = ReplicatedEngine.groupOf(config);
        RaftProperties properties = new RaftProperties();
        org.apache.ratis.RaftConfigKeys.Rpc.setType(properties, org.apache.ratis.rpc.SupportedRpcType.NETTY);
        // a membership change waits for the new member to catch up (up to the staging timeout, 10 s)
        org.apache.ratis.client.RaftClientConfigKeys.Rpc.setRequestTimeout(properties,
                TimeDuration.valueOf(15, TimeUnit.SECONDS));
        this.client = RaftClient.newBuilder().setProperties(properties).setRaftGroup(group)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(20,
                        TimeDuration.valueOf(250, TimeUnit.MILLISECONDS)))
                .build();
    }

    /**
     * Every member: those of the group's configuration as a reachable member reports it, and those
     * of the cluster file. With {@code digest}, each also reports the SHA-256 of its engine state at
     * its applied index (it writes its whole state to do so: use it when the group is quiet).
     */
    public List<MemberStatus> status(boolean digest) {
        Map<String, String> members = new LinkedHashMap<>();
        config.peers().forEach(p -> members.put(p.id(), p.address()));
        members.putAll(currentMembers());
        List<MemberStatus> statuses = new ArrayList<>();
        for (var member : members.entrySet()) {
            statuses.add(statusOf(member.getKey(), member.getValue(), digest));
        }
        return statuses;
    }

    /** The group's configuration as the first reachable member reports it: id to address. */
    public Map<String, String> currentMembers() {
        for (ClusterConfig.Peer peer : config.peers()) {
            try (RaftClient direct = directClient(peer.id(), peer.address())) {
                GroupInfoReply info = direct.getGroupManagementApi(RaftPeerId.valueOf(peer.id())).info(group.getGroupId());
                if (info.getConf().isPresent()) {
                    Map<String, String> members = new LinkedHashMap<>();
                    for (RaftProtos.RaftPeerProto p : info.getConf().get().getPeersList()) {
                        members.put(p.getId().toStringUtf8(), p.getAddress());
                    }
                    return members;
                }
            } catch (IOException | RuntimeException down) {
                // ask the next one
            }
        }
        return Map.of();
    }

    private MemberStatus statusOf(String id, String address, boolean digest) {
        RaftPeerId peerId = RaftPeerId.valueOf(id);
        try (RaftClient direct = directClient(id, address)) {
            GroupInfoReply info = direct.getGroupManagementApi(peerId).info(group.getGroupId());
            RaftProtos.RoleInfoProto role = info.getRoleInfoProto();
            RaftProtos.LogInfoProto log = info.getLogInfoProto();
            String leader = switch (role.getRole()) {
                case LEADER -> id;
                case FOLLOWER -> role.getFollowerInfo().getLeaderInfo().getId().getId().toStringUtf8();
                default -> "";
            };
            String stateDigest = "";
            long digestIndex = -1;
            if (digest) {
                RaftClientReply reply = direct.io().sendStaleRead(Message.valueOf(EngineStateMachine.STATE_QUERY), 0, peerId);
                String answer = reply.getMessage().getContent().toStringUtf8(); // applied=N digest=HEX
                digestIndex = Long.parseLong(answer.substring("applied=".length(), answer.indexOf(' ')));
                stateDigest = answer.substring(answer.indexOf("digest=") + "digest=".length());
            }
            return new MemberStatus(id, address, true, role.getRole().name(), leader, log.getLastEntry().getTerm(),
                    log.getCommitted().getIndex(), log.getApplied().getIndex(), log.getLastSnapshot().getIndex(),
                    stateDigest, digestIndex, "");
        } catch (IOException | RuntimeException down) {
            return MemberStatus.unreachable(id, address, String.valueOf(down.getMessage()));
        }
    }

    /** A client that asks one member only, without retrying elsewhere: the status is that member's. */
    private RaftClient directClient(String id, String address) {
        RaftProperties properties = new RaftProperties();
        org.apache.ratis.RaftConfigKeys.Rpc.setType(properties, org.apache.ratis.rpc.SupportedRpcType.NETTY);
        org.apache.ratis.client.RaftClientConfigKeys.Rpc.setRequestTimeout(properties,
                TimeDuration.valueOf(3, TimeUnit.SECONDS));
        RaftGroup only = RaftGroup.valueOf(group.getGroupId(),
                RaftPeer.newBuilder().setId(id).setAddress(address).build());
        return RaftClient.newBuilder().setProperties(properties).setRaftGroup(only)
                .setRetryPolicy(RetryPolicies.noRetry()).build();
    }

    /**
     * Adds a member. Start it first ({@code serve --cluster} with a file naming every member, this
     * one included); the leader copies it the log (or a snapshot) before it counts as a voter.
     */
    public List<String> add(String id, String address) throws IOException {
        Map<String, String> members = requireMembers();
        if (members.containsKey(id)) {
            throw new IllegalArgumentException(id + " is already a member (" + members.get(id) + ")");
        }
        if (members.size() >= ClusterConfig.PEERS_MAX) {
            throw new IllegalArgumentException("the group has " + members.size() + " members, at most "
                    + ClusterConfig.PEERS_MAX);
        }
        new ClusterConfig.Peer(id, address.substring(0, Math.max(0, address.lastIndexOf(':'))), port(address));
        members.put(id, address);
        return setMembers(members);
    }

    /** Removes a member (a dead one too: the others' majority decides). */
    public List<String> remove(String id) throws IOException {
        Map<String, String> members = requireMembers();
        if (!members.containsKey(id)) {
            throw new IllegalArgumentException(id + " is not a member; members: " + members.keySet());
        }
        if (members.size() == 1) {
            throw new IllegalArgumentException(id + " is the only member; a group cannot be empty");
        }
        members.remove(id);
        return setMembers(members);
    }

    private Map<String, String> requireMembers() {
        Map<String, String> members = new LinkedHashMap<>(currentMembers());
        if (members.isEmpty()) {
            throw new IllegalStateException("no member of " + config.peers().stream().map(ClusterConfig.Peer::id)
                    .toList() + " answered; is the group running?");
        }
        return members;
    }

    private List<String> setMembers(Map<String, String> members) throws IOException {
        List<RaftPeer> peers = members.entrySet().stream().map(m -> RaftPeer.newBuilder().setId(m.getKey())
                .setAddress(m.getValue()).build()).toList();
        RaftClientReply reply = client.admin().setConfiguration(peers);
        if (!reply.isSuccess()) {
            throw new IOException("the group refused the new membership " + members.keySet() + ": "
                    + reply.getException());
        }
        return List.copyOf(members.keySet());
    }

    private static int port(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("address must be host:port, was '" + address + "'");
        }
        try {
            return Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException("address has no port number: '" + address + "'");
        }
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
