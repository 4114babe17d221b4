package io.credence.http;

import io.credence.market.log.MerkleLog;
import io.credence.market.trade.Marketplace;

import java.util.concurrent.CompletableFuture;

/**
 * The relay market on a node of a Raft group. The marketplace decides on one node only, the
 * leader, over the contract log every node holds a copy of: its checks (is this offer id taken,
 * is that contract validated) need one up-to-date state, and its entries go through the group's
 * log. A follower sends its market requests to the leader and answers with the leader's reply.
 */
public interface ClusterMarket {
    /**
     * The marketplace, while this node leads the group and has applied every entry of the terms
     * before; null when another node leads.
     *
     * @throws io.credence.market.trade.MarketUnavailable when it leads but cannot serve the market yet
     */
    Marketplace here();

    /** This node's copy of the contract log (its reads and the offer feed serve from it). */
    MerkleLog log();

    /** Sends an encoded call to the leader (see {@link MarketRoutes#answerForwarded}); its encoded reply. */
    CompletableFuture<byte[]> toLeader(byte[] call);
}
