package io.credence.cluster;

import io.credence.charging.ChargingEngine;
import io.credence.charging.EngineOutcome;

import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The callers on this node waiting for entries this node submitted. When the local replica
 * applies such an entry (it may be leader or follower: every replica applies every entry), the
 * outcomes go to the callers, on the answers executor (one hand-off per entry), never on the
 * apply thread. An entry applied twice (a client retry after a lost reply) finds no waiter the
 * second time; the engine itself answers a repeated command with its first answer.
 */
final class LocalWaiters {
    /** This process's name in the entries it submits; random, so a restarted node never matches old entries. */
    private final long origin = new SecureRandom().nextLong();
    private final AtomicLong sequences = new AtomicLong();
    private final Map<Long, EntryCallers> waiting = new ConcurrentHashMap<>();
    private final Executor answers;
    /** Told each time a waiter is answered or given up: what bounds the entries in flight. */
    private final Runnable resolved;

    LocalWaiters(Executor answers, Runnable resolved) {
        this.answers = answers;
        this.resolved = resolved;
    }

    /**
     * Callers of the commands of one entry, in entry order, and the reads queued with them: each
     * read runs on the apply thread right after the entry's commands, so it sees everything
     * committed before it was asked (the entry was sent after the read was queued).
     */
    record EntryCallers(List<CompletableFuture<EngineOutcome>> answers, List<Read> reads,
                        CompletableFuture<ContractLogReplica.Appended> appended) {
        EntryCallers(List<CompletableFuture<EngineOutcome>> answers, List<Read> reads) {
            this(answers, reads, null);
        }

        /** The caller of a contract log entry (sent alone). */
        static EntryCallers ofContractLog(CompletableFuture<ContractLogReplica.Appended> appended) {
            return new EntryCallers(List.of(), List.of(), appended);
        }

        void fail(Throwable failure) {
            answers.forEach(answer -> answer.completeExceptionally(failure));
            reads.forEach(read -> read.answer().completeExceptionally(failure));
            if (appended != null) {
                appended.completeExceptionally(failure);
            }
        }
    }

    /** A read of the engine and who waits for it. */
    record Read(Function<ChargingEngine, Object> read, CompletableFuture<Object> answer) {}

    long origin() {
        return origin;
    }

    /** Registers a waiter and returns the sequence its entry carries. */
    long register(EntryCallers waiter) {
        long sequence = sequences.incrementAndGet();
        waiting.put(sequence, waiter);
        return sequence;
    }

    /** The entry will not be answered here (its submission failed): its callers hear why. */
    void forget(long sequence, Throwable failure) {
        EntryCallers waiter = waiting.remove(sequence);
        if (waiter != null) {
            resolved.run();
            answers.execute(() -> waiter.fail(failure));
        }
    }

    int size() {
        return waiting.size();
    }

    /** The callers waiting here for {@code entry}, now answered or about to be; null for another node's entry. */
    private EntryCallers take(RaftEntry entry) {
        if (entry.origin() != origin) {
            return null;
        }
        EntryCallers callers = waiting.remove(entry.sequence());
        if (callers != null) {
            resolved.run();
        }
        return callers;
    }

    /** The apply thread's call after a contract log entry. */
    void appliedContractLog(RaftEntry entry, ContractLogReplica.Appended appended) {
        EntryCallers callers = take(entry);
        if (callers != null && callers.appended() != null) {
            answers.execute(() -> callers.appended().complete(appended));
        }
    }

    /** The apply thread's call after each entry of commands. */
    void applied(RaftEntry entry, ChargingEngine engine, List<EngineOutcome> outcomes) {
        EntryCallers callers = take(entry);
        if (callers == null) {
            return;
        }
        // The reads run here, on the apply thread: the engine must not change while they look at it.
        List<Read> reads = callers.reads();
        Object[] results = new Object[reads.size()];
        RuntimeException[] failures = new RuntimeException[reads.size()];
        for (int i = 0; i < reads.size(); i++) {
            try {
                results[i] = reads.get(i).read().apply(engine);
            } catch (RuntimeException failed) {
                failures[i] = failed;
            }
        }
        answers.execute(() -> {
            for (int i = 0; i < outcomes.size(); i++) {
                callers.answers().get(i).complete(outcomes.get(i));
            }
            for (int i = 0; i < reads.size(); i++) {
                if (failures[i] != null) {
                    reads.get(i).answer().completeExceptionally(failures[i]);
                } else {
                    reads.get(i).answer().complete(results[i]);
                }
            }
        });
    }

    /** At close: nobody will be answered. */
    void failAll(Throwable failure) {
        for (Long sequence : List.copyOf(waiting.keySet())) {
            forget(sequence, failure);
        }
    }
}
