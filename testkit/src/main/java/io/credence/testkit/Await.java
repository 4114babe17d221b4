package io.credence.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting in a test for something another thread or process brings about, with a bound. */
public final class Await {
    private Await() {
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} once {@code within} has passed. */
    public static void until(String what, Duration within, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + within.toSeconds() + " s: " + what);
            }
            Thread.sleep(20);
        }
    }
}
