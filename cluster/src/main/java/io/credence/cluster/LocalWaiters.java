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
    private final Map<Long, Waiter> waiting = new ConcurrentHashMap<>();
    private final Executor answers;
    /** Told each time a waiter is answered or given up: what bounds the entries in flight. */
    private final Runnable resolved;

    LocalWaiters(Executor answers, Runnable resolved) {
        this.answers = answers;
        this.resolved = resolved;
    }

    sealed interface Waiter {
        void fail(Throwable failure);
    }

    /** Callers of the commands of one entry, in entry order. */
    record Commands(List<CompletableFuture<EngineOutcome>> answers) implements Waiter {
        @Override
        public void fail(Throwable failure) {
            answers.forEach(answer -> answer.completeExceptionally(failure));
        }
    }

    /** A read: runs on the apply thread once every entry before the barrier is applied. */
    record Barrier(Function<ChargingEngine, Object> read, CompletableFuture<Object> answer) implements Waiter {
        @Override
        public void fail(Throwable failure) {
            answer.completeExceptionally(failure);
        }
    }

    long origin() {
        return origin;
    }

    /** Registers a waiter and returns the sequence its entry carries. */
    long register(Waiter waiter) {
        long sequence = sequences.incrementAndGet();
        waiting.put(sequence, waiter);
        return sequence;
    }

    /** The entry will not be answered here (its submission failed): its callers hear why. */
    void forget(long sequence, Throwable failure) {
        Waiter waiter = waiting.remove(sequence);
        if (waiter != null) {
            resolved.run();
            answers.execute(() -> waiter.fail(failure));
        }
    }

    int size() {
        return waiting.size();
    }

    /** The apply thread's call after each entry. */
    void applied(RaftEntry entry, ChargingEngine engine, List<EngineOutcome> outcomes) {
        if (entry.origin() != origin) {
            return;
        }
        Waiter waiter = waiting.remove(entry.sequence());
        if (waiter != null) {
            resolved.run();
        }
        switch (waiter) {
            case null -> { }
            case Commands commands -> answers.execute(() -> {
                for (int i = 0; i < outcomes.size(); i++) {
                    commands.answers().get(i).complete(outcomes.get(i));
                }
            });
            case Barrier barrier -> {
                Object result;
                try {
                    result = barrier.read().apply(engine); // here: the engine must not change meanwhile
                } catch (RuntimeException failed) {
                    answers.execute(() -> barrier.answer().completeExceptionally(failed));
                    return;
                }
                answers.execute(() -> barrier.answer().complete(result));
            }
        }
    }

    /** At close: nobody will be answered. */
    void failAll(Throwable failure) {
        for (Long sequence : List.copyOf(waiting.keySet())) {
            forget(sequence, failure);
        }
    }
}
