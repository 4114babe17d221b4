package io.credence.market.trade;

import io.credence.market.contract.Ed25519;
import io.credence.market.contract.Entry;
import io.credence.market.contract.Signed;
import io.credence.market.log.ContractLogWriter;

import java.util.List;

/**
 * The marketplace's only way onto the contract log: an entry is appended and on disk (on a
 * majority, on a node of a Raft group) before it changes the state, so nothing is answered that a
 * restart or a lost node would lose. Called under the marketplace's lock only, which makes the
 * log's order the order in which the state changed.
 */
final class LogAppender {
    /** The signer id of the entries the market signs itself (registrations, results, allocations). */
    static final String AUTHORITY_ID = "market";
    static final long APPEND_TIMEOUT_SECONDS = ContractLogWriter.APPEND_TIMEOUT_SECONDS;

    /** Applies an entry that is on the log at {@code index} to the state it belongs to. */
    interface Applier {
        void apply(Signed<? extends Entry> signed, long index);
    }

    private final ContractLogWriter log;
    private final Ed25519.KeyPair authority;
    private final ContractDesk desk;
    private final Applier applier;

    LogAppender(ContractLogWriter log, Ed25519.KeyPair authority, ContractDesk desk, Applier applier) {
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
        long index = write(List.of(signed.encode()));
        applier.apply(signed, index);
        desk.holdDue();
        return index;
    }

    /** Like {@link #append}, for entries that must go on the log together, in order, with one force. */
    void appendAll(List<Signed<? extends Entry>> entries) {
        long first = write(entries.stream().map(Signed::encode).toList());
        for (int i = 0; i < entries.size(); i++) {
            applier.apply(entries.get(i), first + i);
        }
        desk.holdDue();
    }

    private long write(List<byte[]> entries) {
        try {
            return log.append(entries);
        } catch (ContractLogWriter.Unavailable unavailable) {
            throw new MarketUnavailable(unavailable.getMessage());
        }
    }
}
