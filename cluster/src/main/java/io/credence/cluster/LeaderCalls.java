package io.credence.cluster;

import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.TimeDuration;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Requests this node sends the leader that are not log entries: a call only the leader may run
 * (the market), or the contract log leaves a replica lacks after installing a snapshot. They go as
 * Ratis read-only requests, which the leader's state machine answers in {@code query}, on
 * connections of their own so that they never wait behind this node's entries. Ratis' Netty
 * transport answers a connection's requests one at a time, on one of its event-loop threads
 * (2 per core), which it holds until the answer: there are {@link #CONNECTIONS} connections, taken
 * in turn, few so that this node's calls never hold all of the leader's threads (the leader also
 * turns away calls past its own bound, and the caller tries again).
 */
final class LeaderCalls implements AutoCloseable {
    /** How long a call to the leader may take before this node gives up on it. */
    static final long TIMEOUT_SECONDS = 60;
    /** Calls from this node in flight on the leader at once, at most (8 and 16 measured no faster). */
    static final int CONNECTIONS = 2;

    private final RaftProperties properties;
    private final RaftGroup group;
    private final RaftClient[] clients = new RaftClient[CONNECTIONS];
    private final java.util.concurrent.atomic.AtomicInteger turn = new java.util.concurrent.atomic.AtomicInteger();
    private boolean closed;

    LeaderCalls(RaftProperties properties, RaftGroup group) {
        // A call is not idempotent in what it answers (a provider's key seed is answered once): the
        // client must wait for the leader's answer rather than send the call again because it took
        // longer than an entry's 3 s (the first market call of a term replays the contract log).
        this.properties = new RaftProperties(properties);
        RaftClientConfigKeys.Rpc.setRequestTimeout(this.properties, TimeDuration.valueOf(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        this.group = group;
    }

    /** Sends {@code call} to the leader, {@code kind} naming which of its state machine's queries it is. */
    CompletableFuture<byte[]> ask(ByteString kind, byte[] call) {
        RaftClient leader;
        int slot = Math.floorMod(turn.getAndIncrement(), CONNECTIONS);
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("the node is closed"));
            }
            if (clients[slot] == null) {
                clients[slot] = RaftClient.newBuilder().setProperties(properties).setRaftGroup(group).build();
            }
            leader = clients[slot];
        }
        byte[] framed = new byte[kind.size() + call.length];
        kind.copyTo(framed, 0);
        System.arraycopy(call, 0, framed, kind.size(), call.length);
        return leader.async().sendReadOnly(Message.valueOf(UnsafeByteOperations.unsafeWrap(framed)))
                .thenApply(reply -> {
                    if (!reply.isSuccess()) {
                        throw new CompletionException(reply.getException());
                    }
                    return reply.getMessage().getContent().toByteArray();
                });
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        LeaderConnections.closeAll(java.util.Arrays.asList(clients));
    }
}
