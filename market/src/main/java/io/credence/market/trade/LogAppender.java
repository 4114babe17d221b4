package io.credence.market.trade;

import io.credence.market.contract.Ed25519;
import io.credence.market.contract.Entry;
import io.credence.market.contract.Signed;
import io.credence.market.log.MerkleLog;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The marketplace's only way onto the contract log: an entry is appended and forced to disk
 * before it changes the state, so nothing is answered that a restart would lose. Called under the
 * marketplace's lock only, which makes the log's order the order in which the state changed.
 */
final class LogAppender {
    /** The signer id of the entries the market signs itself (registrations, results, allocations). */
    static final String AUTHORITY_ID = "market";
    static final long APPEND_TIMEOUT_SECONDS = 30;

    /** Applies an entry that is on the log at {@code index} to the state it belongs to. */
    interface Applier {
        void apply(Signed<? extends Entry> signed, long index);
    }

    private final MerkleLog log;
    private final Ed25519.KeyPair authority;
    private final ContractDesk desk;
    private final Applier applier;

    LogAppender(MerkleLog log, Ed25519.KeyPair authority, ContractDesk desk, Applier applier) {
        this.log = log;
        this.authority = authority;
        this.desk = desk;
        this.applier = applier;
    }

    /** Appends {@code entry} signed by the market authority; see {@link #append}. */
    long appendAsMarket(Entry entry) {
        return append(Signed.sign(entry, AUTHORITY_ID, authority));
    }

    /** Appends and waits until it is on disk, then applies it; under the lock, so the log order is the state's. */
    long append(Signed<? extends Entry> signed) {
        MerkleLog.Submission submission = log.submit(signed.encode());
        long index = switch (submission) {
            case MerkleLog.Accepted accepted -> {
                try {
                    yield accepted.index().get(APPEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (ExecutionException failed) {
                    throw new MarketUnavailable("the contract log failed: " + failed.getCause().getMessage());
                } catch (TimeoutException slow) {
                    throw new MarketUnavailable("the contract log did not answer within " + APPEND_TIMEOUT_SECONDS + " s");
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new MarketUnavailable("interrupted while appending to the contract log");
                }
            }
            case MerkleLog.Busy busy -> throw new MarketUnavailable("the contract log queue is full ("
                    + busy.queueMax() + "); retry shortly");
            case MerkleLog.Refused refused -> throw new MarketUnavailable("the contract log refused the entry: "
                    + refused.reason());
        };
        applier.apply(signed, index);
        desk.holdDue();
        return index;
    }

    /** Like {@link #append}, for entries that must go on the log together, in order, with one force. */
    void appendAll(List<Signed<? extends Entry>> entries) {
        List<byte[]> bytes = entries.stream().map(Signed::encode).toList();
        MerkleLog.AppendResult result;
        try {
            result = log.append(bytes);
        } catch (IOException failed) {
            throw new MarketUnavailable("the contract log failed: " + failed.getMessage());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new MarketUnavailable("interrupted while appending to the contract log");
        }
        switch (result) {
            case MerkleLog.Appended appended -> {
                long[] indexes = appended.indexes();
                for (int i = 0; i < indexes.length; i++) {
                    applier.apply(entries.get(i), indexes[i]);
                }
                desk.holdDue();
            }
            case MerkleLog.Busy busy -> throw new MarketUnavailable("the contract log queue is full ("
                    + busy.queueMax() + "); retry shortly");
            case MerkleLog.Refused refused -> throw new MarketUnavailable("the contract log refused the entries: "
                    + refused.reason());
        }
    }
}
