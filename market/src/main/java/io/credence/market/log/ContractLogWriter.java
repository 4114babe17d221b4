package io.credence.market.log;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How the marketplace puts entries on its contract log: on one node straight onto its
 * {@link MerkleLog} ({@link #local}); on a node of a Raft group through the group's log, which
 * appends them to every node's Merkle log. Either way an entry is on disk (on a majority, in a
 * group) before the marketplace applies and answers it.
 */
public interface ContractLogWriter {
    long APPEND_TIMEOUT_SECONDS = 30;

    /**
     * Appends the entries as consecutive leaves and returns the first one's index.
     *
     * @throws Unavailable when they cannot go on the log now (busy, failed, refused, or the log
     *         moved on under a replica's feet); nothing of them was appended then
     */
    long append(List<byte[]> entries);

    /** Why entries did not go on the log; the marketplace answers it as "unavailable, retry". */
    final class Unavailable extends RuntimeException {
        public Unavailable(String message) {
            super(message);
        }
    }

    /** The single node's writer: the Merkle log itself. */
    static ContractLogWriter local(MerkleLog log) {
        return entries -> {
            try {
                if (entries.size() == 1) {
                    return switch (log.submit(entries.getFirst())) {
                        case MerkleLog.Accepted accepted -> accepted.index().get(APPEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                        case MerkleLog.Busy busy -> throw busy(busy);
                        case MerkleLog.Refused refused -> throw new Unavailable("the contract log refused the entry: "
                                + refused.reason());
                    };
                }
                return switch (log.append(entries)) {
                    case MerkleLog.Appended appended -> appended.firstIndex();
                    case MerkleLog.Busy busy -> throw busy(busy);
                    case MerkleLog.Refused refused -> throw new Unavailable("the contract log refused the entries: "
                            + refused.reason());
                };
            } catch (IOException failed) {
                throw new Unavailable("the contract log failed: " + failed.getMessage());
            } catch (ExecutionException failed) {
                throw new Unavailable("the contract log failed: " + failed.getCause().getMessage());
            } catch (TimeoutException slow) {
                throw new Unavailable("the contract log did not answer within " + APPEND_TIMEOUT_SECONDS + " s");
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new Unavailable("interrupted while appending to the contract log");
            }
        };
    }

    private static Unavailable busy(MerkleLog.Busy busy) {
        return new Unavailable("the contract log queue is full (" + busy.queueMax() + "); retry shortly");
    }
}
