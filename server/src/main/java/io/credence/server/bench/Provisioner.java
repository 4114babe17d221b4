package io.credence.server.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.credence.server.ApiClient;
import io.credence.server.Main;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes sure the generator's subscribers exist, through the HTTP API as an operator would:
 * account {@code bench-<msisdn>}, a large BYTES main balance, and the E.164 identity the CCRs
 * carry. Idempotent by looking first: a rerun creates nothing that exists, tops up only a
 * balance that ran low, and binds only a missing identity. The request ids are derived from the
 * state they change, so a request retried against the same state is answered, not applied twice.
 */
final class Provisioner {
    /**
     * 10^12 octets each: an hour at 100,000 CCR/s charges about 2 * 10^14 over all subscribers.
     * Larger would not fit: the system account issues at most 2^63 - 1 of a unit in all, and
     * {@link LoadPlan#SUBSCRIBERS_MAX} balances of 10^12 are 10^18.
     */
    static final long BALANCE_OCTETS = 1_000_000_000_000L;
    static final long REFILL_BELOW_OCTETS = BALANCE_OCTETS / 10;
    /** Requests at once: enough to fill the ledger's group commit, far below the server's HTTP threads. */
    static final int PARALLEL_MAX = 32;

    /** How many subscribers needed each change (one subscriber can need several). */
    record Summary(int subscribers, int created, int toppedUp, int bound) {}

    /** The server answered something other than what provisioning needs. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    private final ApiClient api;
    private final LoadPlan plan;
    private final AtomicInteger created = new AtomicInteger();
    private final AtomicInteger toppedUp = new AtomicInteger();
    private final AtomicInteger bound = new AtomicInteger();

    Provisioner(ApiClient api, LoadPlan plan) {
        this.api = api;
        this.plan = plan;
    }

    /**
     * Provisions the plan's subscribers through {@code httpApi} and prints what it did.
     *
     * @param given the --http option as typed, for messages
     * @return null when done, else the exit code (the reason is on stderr)
     */
    static Integer provision(URI httpApi, String given, LoadPlan plan) throws InterruptedException {
        long started = System.nanoTime();
        try {
            Summary s = new Provisioner(new ApiClient(httpApi), plan).run();
            System.out.printf("subscribers: %,d checked through %s in %.1f s (%,d created, %,d topped up, "
                            + "%,d identities bound)%n", s.subscribers(), httpApi, (System.nanoTime() - started) / 1e9,
                    s.created(), s.toppedUp(), s.bound());
            return null;
        } catch (Refused refused) {
            System.err.println("credence: provisioning subscribers failed: " + refused.getMessage());
            return Main.EXIT_REFUSED;
        } catch (ConnectException unreachable) {
            System.err.println("credence: cannot reach the server at " + given + " (is `credence serve` running?)");
            return Main.EXIT_UNREACHABLE;
        } catch (IOException failed) {
            System.err.println("credence: talking to " + given + " failed: " + failed.getMessage());
            return Main.EXIT_UNREACHABLE;
        }
    }

    Summary run() throws IOException, InterruptedException, Refused {
        AtomicInteger next = new AtomicInteger();
        int workers = Math.min(PARALLEL_MAX, plan.subscribers());
        List<Future<Void>> running = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < workers; w++) {
                running.add(pool.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < plan.subscribers(); ) {
                        subscriber(i);
                    }
                    return null;
                }));
            }
            for (Future<Void> f : running) {
                try {
                    f.get();
                } catch (ExecutionException failed) {
                    next.set(plan.subscribers()); // the others stop at their next subscriber
                    switch (failed.getCause()) {
                        case IOException io -> throw io;
                        case Refused refused -> throw refused;
                        case InterruptedException interrupted -> throw interrupted;
                        case RuntimeException bug -> throw bug;
                        case Error error -> throw error;
                        case Throwable other -> throw new IllegalStateException(other);
                    }
                }
            }
        }
        return new Summary(plan.subscribers(), created.get(), toppedUp.get(), bound.get());
    }

    private void subscriber(int index) throws IOException, InterruptedException, Refused {
        String account = plan.accountId(index);
        String msisdn = plan.msisdn(index);
        ApiClient.Reply shown = api.get("v1/accounts/" + account);
        JsonNode view;
        if (shown.status() == 404) {
            ApiClient.Reply made = api.post("v1/accounts", Map.of("requestId", "bench-create-" + account,
                    "accountId", account, "kind", "SUBSCRIBER"));
            expect(made, "creating " + account);
            created.incrementAndGet();
            view = JsonNodeFactory.instance.objectNode(); // new: no balance, no identity
        } else {
            expect(shown, "reading " + account);
            view = shown.body();
        }
        long total = 0;
        long available = 0;
        for (JsonNode b : view.path("balances")) {
            if (b.path("unit").asText().equals("BYTES")) {
                total = b.path("total").asLong();
                available = b.path("available").asLong();
            }
        }
        if (available < REFILL_BELOW_OCTETS) {
            expect(api.post("v1/accounts/" + account + "/topups", Map.of("requestId",
                    "bench-topup-" + account + "-" + total, "unit", "BYTES", "amount", BALANCE_OCTETS)),
                    "topping up " + account);
            toppedUp.incrementAndGet();
        }
        boolean hasIdentity = false;
        for (JsonNode id : view.path("identities")) {
            hasIdentity |= id.path("type").asText().equals("E164") && id.path("value").asText().equals(msisdn);
        }
        if (!hasIdentity) {
            expect(api.post("v1/accounts/" + account + "/identities", Map.of("requestId", "bench-bind-" + msisdn,
                    "type", "E164", "value", msisdn)), "binding E164 " + msisdn + " to " + account);
            bound.incrementAndGet();
        }
    }

    private static void expect(ApiClient.Reply reply, String what) throws Refused {
        if (!reply.ok()) {
            throw new Refused(what + ": " + reply.problemLine());
        }
    }
}
