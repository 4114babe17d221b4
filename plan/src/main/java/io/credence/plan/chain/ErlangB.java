package io.credence.plan.chain;

/**
 * The Erlang B formula: the share of offered calls an M/M/c/c loss system rejects. The closed form
 * a^c/c! / sum a^k/k! overflows for a few hundred servers; the recursion below never does and keeps
 * full relative precision because every step only adds and divides positive numbers.
 */
public final class ErlangB {

    /** Beyond this many servers the recursion's cost, not its precision, becomes the problem. */
    public static final int SERVERS_MAX = 100_000_000;

    private ErlangB() {
    }

    /** Blocking probability of M/M/c/c with offered load a Erlang, by the stable recursion B(0)=1, B(k)=aB/(k+aB). */
    public static double blocking(int servers, double offeredErlang) {
        if (servers < 0 || servers > SERVERS_MAX) {
            throw new IllegalArgumentException("servers must be 0.." + SERVERS_MAX + ", was " + servers);
        }
        if (!(offeredErlang >= 0) || Double.isInfinite(offeredErlang)) {
            throw new IllegalArgumentException("offered load must be finite and >= 0 Erlang, was " + offeredErlang);
        }
        double blocking = 1;
        for (int k = 1; k <= servers; k++) {
            double carried = offeredErlang * blocking;
            blocking = carried / (k + carried);
        }
        return blocking;
    }
}
