package io.credence.cluster;

import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/** This node's Raft server, in process: where its entries go while it leads (see {@link LeaderConnections}). */
final class InProcessServer implements LeaderConnections.LocalServer {
    private final RaftServer server;
    private final RaftGroupId groupId;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();

    InProcessServer(RaftServer server, RaftGroupId groupId) {
        this.server = server;
        this.groupId = groupId;
    }

    @Override
    public boolean isLeader() {
        try {
            return server.getDivision(groupId).getInfo().isLeader();
        } catch (IOException | RuntimeException closed) {
            return false;
        }
    }

    @Override
    public CompletableFuture<RaftClientReply> submit(Message message) {
        RaftClientRequest request = RaftClientRequest.newBuilder().setClientId(clientId).setServerId(server.getId())
                .setGroupId(groupId).setCallId(callIds.incrementAndGet()).setMessage(message)
                .setType(RaftClientRequest.writeRequestType()).build();
        try {
            return server.submitClientRequestAsync(request);
        } catch (IOException failed) {
            return CompletableFuture.failedFuture(failed);
        }
    }
}
