package io.credence.admission;

import java.util.Objects;

/**
 * A pool's state. {@code used} may exceed {@code capacity} only after a reload lowered the
 * capacity below what live admissions hold; {@code free} is then zero, never negative.
 */
public record PoolLevel(Pool pool, long capacity, long used) {
    public PoolLevel {
        Objects.requireNonNull(pool, "pool");
        if (capacity < 0 || used < 0) {
            throw new IllegalArgumentException(pool.jsonName() + ": capacity and used are never negative");
        }
    }

    public long free() {
        return Math.max(0, capacity - used);
    }
}
