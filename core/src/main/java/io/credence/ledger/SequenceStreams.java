package io.credence.ledger;

import io.credence.ledger.Operation.Advance;
import io.credence.ledger.Outcome.Advanced;
import io.credence.ledger.Rejection.LimitExceeded;
import io.credence.ledger.Rejection.StaleSequence;
import io.credence.ledger.Rejection.UnknownAccount;

import java.util.Map;

import static io.credence.ledger.LedgerInvariants.check;

/**
 * Numbered usage reports counted once each: an account's stream accepts only a number above the
 * last one it took, and keeps the running total. A linked step, so each change can be undone.
 */
final class SequenceStreams {
    private final Map<String, Account> accounts;
    private final UndoLog undo;

    SequenceStreams(Map<String, Account> accounts, UndoLog undo) {
        this.accounts = accounts;
        this.undo = undo;
    }

    /**
     * No status check, unlike the value movements: the usage behind a report already happened,
     * and refusing it on a suspended or closed account would not undo that, only lose the count
     * (or leave its number free for a retry after reactivation to be counted late).
     */
    Outcome advance(Advance op) {
        Account account = accounts.get(op.accountId());
        if (account == null) {
            return new UnknownAccount(op.accountId());
        }
        SequenceStream stream = account.stream(op.stream());
        if (stream == null) {
            if (account.streamCount() >= Account.STREAMS_MAX) {
                return new LimitExceeded("streamsPerAccount", Account.STREAMS_MAX);
            }
        } else {
            if (op.seq() <= stream.lastSeq) {
                return new StaleSequence(account.id, stream.name, op.seq(), stream.lastSeq);
            }
            if (stream.total > Long.MAX_VALUE - op.amount()) {
                return new LimitExceeded("total of " + account.id + " stream " + stream.name, Long.MAX_VALUE);
            }
        }
        if (stream == null) {
            stream = new SequenceStream(op.stream());
            addStream(account, stream);
        }
        moveStream(stream, op.seq(), op.amount());
        return new Advanced(account.id, stream.name, stream.lastSeq, stream.total);
    }

    private void addStream(Account account, SequenceStream stream) {
        account.addStream(stream);
        check(account.streamCount() <= Account.STREAMS_MAX, "streams within STREAMS_MAX");
        if (undo.recording()) {
            undo.add(() -> account.removeLastStream(stream));
        }
    }

    private void moveStream(SequenceStream stream, long seq, long amount) {
        long seqBefore = stream.lastSeq;
        long totalBefore = stream.total;
        check(seq > seqBefore, "a stream only moves forward");
        stream.lastSeq = seq;
        stream.total = Math.addExact(totalBefore, amount); // checked before: cannot throw
        if (undo.recording()) {
            undo.add(() -> {
                stream.lastSeq = seqBefore;
                stream.total = totalBefore;
            });
        }
    }
}
