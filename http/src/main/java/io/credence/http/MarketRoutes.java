package io.credence.http;

import io.credence.devices.DeviceQuota;
import io.credence.ledger.AccountView;
import io.credence.market.log.MerkleLog;
import io.credence.market.trade.MarketUnavailable;
import io.credence.market.trade.Marketplace;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * {@code /v1/market} on a single node (the marketplace here) or on a node of a Raft group
 * ({@link ClusterMarket}: here while this node leads, else sent to the leader, whose reply is
 * written as it came).
 */
final class MarketRoutes {
    /** How long a follower waits for the leader's reply: a contract's admission may take two log appends. */
    static final long FORWARD_TIMEOUT_SECONDS = 70;
    /**
     * Calls from followers running here at once; past it one is answered {@value #LEADER_BUSY} at
     * once and its follower sends it again a moment later. Kept low on purpose: Ratis' Netty server
     * holds one of its event-loop threads (2 per core) while a call runs, and every connection on
     * that thread waits, the followers' charging entries among them.
     */
    static final int FORWARDED_CALLS_MAX = 2;
    /** The problem type of a call the leader had no room for; its follower tries again. */
    static final String LEADER_BUSY = "leader-busy";

    private final java.util.concurrent.Semaphore forwarded = new java.util.concurrent.Semaphore(FORWARDED_CALLS_MAX);
    private final DeviceQuota devices;
    private final Function<String, Optional<AccountView>> accounts;
    private final ClusterMarket cluster;
    /** The routes over the marketplace they were made for (a new leader term opens a new one). */
    private volatile MarketApi api;
    private volatile Marketplace apiFor;

    private MarketRoutes(DeviceQuota devices, Function<String, Optional<AccountView>> accounts, ClusterMarket cluster,
                         Marketplace market, MerkleLog log) {
        this.devices = devices;
        this.accounts = accounts;
        this.cluster = cluster;
        if (market != null) {
            this.api = new MarketApi(market, devices, accounts, new MarketLogApi(log));
            this.apiFor = market;
        }
    }

    static MarketRoutes single(DeviceQuota devices, Function<String, Optional<AccountView>> accounts,
                               Marketplace market, MerkleLog log) {
        return new MarketRoutes(devices, accounts, null, market, log);
    }

    static MarketRoutes cluster(DeviceQuota devices, Function<String, Optional<AccountView>> accounts,
                                ClusterMarket cluster) {
        return new MarketRoutes(devices, accounts, cluster, null, null);
    }

    /** Answers a request that arrived on this node. */
    Reply reply(MarketCall call) {
        if (cluster == null) {
            return run(api, call);
        }
        MarketApi here;
        try {
            here = leading();
        } catch (MarketUnavailable unavailable) {
            return Reply.problem(Problem.of(503, "busy", unavailable.getMessage()));
        }
        if (here != null) {
            return run(here, call);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FORWARD_TIMEOUT_SECONDS);
        byte[] encoded = call.encode();
        try {
            for (int attempt = 0; ; attempt++) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException();
                }
                Reply reply = MarketCall.decodeReply(cluster.toLeader(encoded).get(left, TimeUnit.NANOSECONDS));
                if (!isLeaderBusy(reply)) {
                    return reply;
                }
                // the leader runs as many calls as it has room for: this one waits its turn here
                Thread.sleep(Math.min(50, 2L << Math.min(attempt, 4)));
            }
        } catch (ExecutionException failed) {
            Throwable cause = failed.getCause() == null ? failed : failed.getCause();
            return Reply.problem(Problem.of(503, "busy", "the market runs on the group's leader, which did not "
                    + "answer: " + cause.getMessage()));
        } catch (TimeoutException slow) {
            return Reply.problem(Problem.of(503, "busy", "the group's leader did not answer the market request within "
                    + FORWARD_TIMEOUT_SECONDS + " s"));
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return Reply.problem(Problem.of(503, "busy", "interrupted while waiting for the group's leader"));
        }
    }

    private static boolean isLeaderBusy(Reply reply) {
        return reply.status() == 503 && reply.body() instanceof byte[] body
                && new String(body, java.nio.charset.StandardCharsets.UTF_8).contains(":" + LEADER_BUSY + "\"");
    }

    /** On the leader: a call a follower sent ({@link #reply}); never sent on again, so a call cannot go round. */
    byte[] answerForwarded(byte[] encoded) {
        if (!forwarded.tryAcquire()) {
            return MarketCall.encodeReply(Reply.problem(Problem.of(503, LEADER_BUSY, FORWARDED_CALLS_MAX
                    + " market calls from other nodes are running on the leader; retry shortly")));
        }
        try {
            return answer(encoded);
        } finally {
            forwarded.release();
        }
    }

    private byte[] answer(byte[] encoded) {
        MarketCall call;
        try {
            call = MarketCall.decode(encoded);
        } catch (IllegalArgumentException unreadable) {
            return MarketCall.encodeReply(Reply.problem(Problem.of(400, "malformed-call", unreadable.getMessage())));
        }
        MarketApi here;
        try {
            here = leading();
        } catch (MarketUnavailable unavailable) {
            return MarketCall.encodeReply(Reply.problem(Problem.of(503, "busy", unavailable.getMessage())));
        }
        return MarketCall.encodeReply(here != null ? run(here, call) : Reply.problem(Problem.of(503, "busy",
                "this node no longer leads the group; retry")));
    }

    /** The routes over this node's marketplace while it leads, else null. */
    private MarketApi leading() {
        Marketplace market = cluster.here();
        if (market == null) {
            return null;
        }
        if (market != apiFor) {
            synchronized (this) {
                if (market != apiFor) {
                    api = new MarketApi(market, devices, accounts, new MarketLogApi(cluster.log()));
                    apiFor = market;
                }
            }
        }
        return api;
    }

    private static Reply run(MarketApi api, MarketCall call) {
        try {
            Object out = api.route(call.method(), call.path(), call::json, call.headers()::get,
                    call::queryLong, call.query()::get, call.caller());
            return switch (out) {
                case Answer answer -> Reply.of(answer);
                case byte[] raw -> new Reply(200, "application/octet-stream", raw, Map.of());
                default -> Reply.json(200, out);
            };
        } catch (ApiError error) {
            return Reply.problem(Problem.of(error));
        }
    }
}
