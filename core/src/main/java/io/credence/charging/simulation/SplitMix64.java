package io.credence.charging.simulation;

/**
 * The simulation's only source of choice: SplitMix64 (Steele, Lea and Flood), seeded. The same
 * seed always makes the same run, on any machine and JDK, which is what lets a failing seed be
 * replayed; {@code java.util.Random} stays out of the core.
 */
final class SplitMix64 {
    private long state;

    SplitMix64(long seed) {
        this.state = seed;
    }

    long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in {@code [0, bound)}. */
    int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be > 0");
        }
        return (int) Math.floorMod(nextLong(), (long) bound);
    }

    /** Uniform in {@code [from, to]}. */
    long between(long from, long to) {
        return from + Math.floorMod(nextLong(), to - from + 1);
    }

    /** True with probability {@code percent} / 100. */
    boolean percent(int percent) {
        return nextInt(100) < percent;
    }

    <T> T pick(java.util.List<T> items) {
        return items.get(nextInt(items.size()));
    }
}
