package io.credence.cluster;

import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A node's connections to the Raft leader, one Ratis client each, one entry in flight on each:
 * Ratis' Netty server answers a connection's requests one at a time, each when its entry is
 * committed, so more entries on one connection would only queue inside Netty, small, where the
 * sender cannot pack them into the next entry.
 *
 * <p>Each entry is a blocking send on a virtual thread of its own, with Ratis' retries. Not Ratis'
 * ordered async API: its sliding window holds every later reply behind one entry retrying against
 * a cut-off leader, and once one entry fails past its retries it refuses all later ones. Entries
 * need no order between them: each command carries its request id and the engine answers a
 * repeated one with its first answer.
 *
 * <p>While this node is the leader its entries skip the network: they go to its own Raft server
 * in process. Ratis' Netty server holds one of its few event-loop threads per request until the
 * request is answered, and every connection on that thread waits meanwhile; the market's calls,
 * which followers send to the leader and which wait there for entries of their own, could then
 * wait for an entry queued behind themselves on the same thread (a deadlock seen in the market
 * benchmark). An entry the local server refuses because it is no longer the leader, or that it
 * does not commit within a request timeout, is sent through a connection like any other.
 *
 * <p>Two failures are sent again, both safe even if the first copy was committed (every command is
 * idempotent, and an entry's waiters are answered once):
 * <ul>
 *   <li>a connection its own client closed under the send: a Ratis client that learns of a new
 *       leader closes its connection to the old one and fails every request on it with
 *       AlreadyClosedException, which its blocking API does not retry;</li>
 *   <li>a send still in flight when this node hears of a new leader. Such a send went to a leader
 *       that is gone, and Ratis 3.3.0 can hold it for seconds: the client closes its connection to
 *       the dead peer from the sending thread while holding the connection's lock, and waits up
 *       to 5 s for Netty to finish the close, which Netty's event loop cannot do while it waits
 *       for the same lock to fail the connection's requests ("closeChannel ... is not yet
 *       completed in 5s" in the log). The attempt is superseded: its entry goes to the new leader
 *       on a new connection at once, and the old attempt, whenever it returns, is ignored and its
 *       connection closed.</li>
 * </ul>
 */
final class LeaderConnections implements Closeable {
    private static final System.Logger LOG = System.getLogger(LeaderConnections.class.getName());
    /** Sends of one entry at most: a connection is closed under a send once per leader change. */
    private static final int SEND_ATTEMPTS_MAX = 5;

    private final RaftProperties properties;
    private final RaftGroup group;
    private final BooleanSupplier stopping;
    private final List<RaftClient> clients = new CopyOnWriteArrayList<>();
    /** The connections with no entry on them; the sender takes one per entry and the send gives it back. */
    private final ArrayBlockingQueue<RaftClient> idle;
    /** The sends in flight; one that is superseded is taken out, and its own end then does nothing. */
    private final Set<Attempt> inFlight = ConcurrentHashMap.newKeySet();
    private final ExecutorService sends = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("credence-raft-send-", 0).factory());
    private final AtomicLong resent = new AtomicLong();
    /** The leader this node heard of last (Ratis' notifications come on one thread). */
    private volatile RaftPeerId lastLeader;

    /** One send of an entry on one connection; {@code number} counts the entry's sends. */
    private record Attempt(RaftClient client, Message message, Consumer<Throwable> failed, int number) {
        Attempt next(RaftClient on) {
            return new Attempt(on, message, failed, number + 1);
        }
    }

    /** This node's own Raft server, for the entries it sends while it leads. */
    interface LocalServer {
        boolean isLeader();

        /** Submits the entry to this node's server; its reply once committed (or refused). */
        CompletableFuture<RaftClientReply> submit(Message message);
    }

    private final LocalServer local;
    /** How long an entry given to the local server may take before it is sent through a connection instead. */
    private final long localTimeoutMillis;

    /** @param stopping true once the node is closing: a failed send is then not sent again */
    LeaderConnections(RaftProperties properties, RaftGroup group, int count, BooleanSupplier stopping,
                      LocalServer local, long localTimeoutMillis) {
        this.properties = properties;
        this.group = group;
        this.local = local;
        this.localTimeoutMillis = localTimeoutMillis;
        this.stopping = stopping;
        for (int i = 0; i < count; i++) {
            clients.add(newClient(null));
        }
        this.idle = new ArrayBlockingQueue<>(count, false, clients);
    }

    /** A free connection, waiting for one. */
    RaftClient take() throws InterruptedException {
        return idle.take();
    }

    /**
     * Sends {@code message} on {@code client} (taken with {@link #take}), which becomes free again
     * once it is answered. {@code failed} gets what kept it from being committed; the entry may
     * still have been (the reply was lost), so a caller retries with the same request id and the
     * engine gives the first answer.
     */
    void send(RaftClient client, Message message, Consumer<Throwable> failed) {
        start(new Attempt(client, message, failed, 1));
    }

    private void start(Attempt attempt) {
        inFlight.add(attempt);
        try {
            sends.execute(() -> run(attempt));
        } catch (RejectedExecutionException closed) {
            inFlight.remove(attempt);
            idle.add(attempt.client());
            attempt.failed().accept(closed);
        }
    }

    private void run(Attempt attempt) {
        Throwable failure = null;
        try {
            RaftClientReply reply = local.isLeader() ? submitLocally(attempt.message()) : null;
            if (reply == null) { // not the leader, or it stopped being: through a connection
                reply = attempt.client().io().send(attempt.message());
            }
            if (!reply.isSuccess()) {
                failure = reply.getException();
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
        if (!inFlight.remove(attempt)) {
            return; // superseded: another attempt carries the entry, and its connection is being closed
        }
        if (failure instanceof AlreadyClosedException && !stopping.getAsBoolean()
                && attempt.number() < SEND_ATTEMPTS_MAX) {
            start(attempt.next(attempt.client()));
            return;
        }
        idle.add(attempt.client());
        if (failure != null) {
            attempt.failed().accept(failure);
        }
    }

    /**
     * The local server's reply, or null when it did not commit the entry (not the leader any more,
     * not ready yet after its election, too slow): the caller sends it through a connection, whose
     * client retries and follows the leader.
     */
    private RaftClientReply submitLocally(Message message) {
        long started = System.nanoTime();
        try {
            RaftClientReply reply = local.submit(message).get(localTimeoutMillis, TimeUnit.MILLISECONDS);
            if (!reply.isSuccess()) {
                LOG.log(System.Logger.Level.INFO, "the local server refused an entry after {0} ms ({1}); sending "
                        + "it through a connection", (System.nanoTime() - started) / 1_000_000, reply.getException());
            }
            return reply.isSuccess() ? reply : null;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException notCommitted) {
            // traced so that a slow failover can be told apart from a slow election (BENCHMARKS.md section 13)
            LOG.log(System.Logger.Level.WARNING, "the local server did not commit an entry within {0} ms ({1}); "
                    + "sending it through a connection", (System.nanoTime() - started) / 1_000_000, notCommitted);
            return null;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * A new leader: every send in flight went out before it and is superseded, its entry sent again
     * on a new connection to the new leader; and every free connection is replaced by one to the
     * new leader, since a free connection's client still knows the old one and its next send would
     * go there first (and could be held the same way). All on a thread of its own: this runs on
     * Ratis' thread.
     */
    void leaderChanged(RaftPeerId leader) {
        RaftPeerId previous = lastLeader;
        lastLeader = leader;
        if (leader.equals(previous) || stopping.getAsBoolean()) {
            return; // told again of the leader it knows: its sends stand
        }
        List<Attempt> before = List.copyOf(inFlight);
        Thread.ofVirtual().name("credence-raft-resend").start(() -> {
            for (Attempt old : before) {
                if (old.number() < SEND_ATTEMPTS_MAX && inFlight.remove(old)) {
                    resent.incrementAndGet();
                    start(old.next(replace(old.client(), leader)));
                }
            }
            for (int free = idle.size(); free > 0; free--) {
                RaftClient old = idle.poll();
                if (old == null) {
                    break; // the sender took it meanwhile: it goes out with its entry
                }
                idle.add(leader.equals(old.getLeaderId()) ? old : replace(old, leader));
            }
        });
    }

    /** A new connection to {@code leader} in place of {@code old}, which is closed on a thread of its own. */
    private RaftClient replace(RaftClient old, RaftPeerId leader) {
        RaftClient fresh = newClient(leader);
        clients.add(fresh);
        clients.remove(old);
        Thread.ofVirtual().name("credence-raft-abandon").start(() -> closeQuietly(old));
        return fresh;
    }

    /** Entries sent again to a new leader because their send was in flight when it was elected, since start. */
    long resentToNewLeader() {
        return resent.get();
    }

    /**
     * Retries for as long as a leader change takes, plus margin (30 times 100 ms, each attempt up
     * to the request timeout): the caller's own timer usually decides first, and its retry with the
     * same request id gets the first answer whether or not this attempt was committed.
     */
    private RaftClient newClient(RaftPeerId leader) {
        RaftClient.Builder builder = RaftClient.newBuilder().setProperties(properties).setRaftGroup(group)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(30,
                        TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)));
        if (leader != null) {
            builder.setLeaderId(leader);
        }
        return builder.build();
    }

    private static void closeQuietly(RaftClient client) {
        try {
            client.close();
        } catch (IOException | RuntimeException ignored) {
            // closing is all that is wanted; its send fails either way
        }
    }

    @Override
    public void close() throws IOException {
        sends.shutdownNow();
        closeAll(clients);
    }

    /** Closes every client, then throws the first failure, if any. */
    static void closeAll(Iterable<RaftClient> clients) throws IOException {
        IOException failed = null;
        for (RaftClient client : clients) {
            if (client == null) {
                continue;
            }
            try {
                client.close();
            } catch (IOException e) {
                failed = failed == null ? e : failed;
            }
        }
        if (failed != null) {
            throw failed;
        }
    }
}
