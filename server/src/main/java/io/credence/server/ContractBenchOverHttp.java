package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.market.contract.BuyerType;
import io.credence.market.contract.ChargingStandard;
import io.credence.market.contract.Contract;
import io.credence.market.contract.Ed25519;
import io.credence.market.contract.Offer;
import io.credence.market.contract.Payment;
import io.credence.market.contract.ResourceType;
import io.credence.market.contract.Signed;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code credence bench contracts --http URL}: the same contracts as the in-process run, proposed
 * through a running server's API (a single node, or any node of a cluster, where a follower sends
 * them to the leader), with each proposal's time from request to answer. The parties are made
 * through the same server first (accounts, SIMs, devices, provider registrations, one offer),
 * under a run id so that runs against one server do not collide.
 */
final class ContractBenchOverHttp {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final int contracts;
    private final int threads;
    private final PrintStream out;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    ContractBenchOverHttp(URI base, int contracts, int threads, PrintStream out) {
        this.base = base;
        this.contracts = contracts;
        this.threads = threads;
        this.out = out;
    }

    private record Party(String id, Ed25519.KeyPair key, String serviceId) {}

    void run() throws Exception {
        Party provider = party("p", 0);
        Party buyer = party("b", 1_000_000_000_000L);
        long now = System.currentTimeMillis();
        Signed<Offer> offer = Signed.sign(new Offer("bench-offer-" + run, provider.serviceId(), provider.id(),
                "sim-" + provider.id(), now, now + 3_600_000, 3, 100, ChargingStandard.PER_MB, ResourceType.DATA_BYTES,
                50_000_000), provider.id(), provider.key());
        expect(post("v1/market/offers", "{\"signedOffer\":\"" + b64(offer.encode()) + "\"}", null), 201, "the offer");
        List<String> bodies = new ArrayList<>(contracts);
        for (int i = 0; i < contracts; i++) {
            Contract c = new Contract("bench-" + run + "-" + i, offer.entry().hash(), provider.id(), buyer.id(),
                    BuyerType.PERSONAL, buyer.id(), ResourceType.DATA_BYTES, 5_000_000, now, now + 3_600_000, 3,
                    ChargingStandard.PER_MB, 100, 500, Payment.MONEY, now);
            bodies.add("{\"signedContract\":\"" + b64(Signed.sign(c, buyer.id(), buyer.key())
                    .cosign(provider.id(), provider.key()).encode()) + "\"}");
        }
        long[] nanos = new long[contracts];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger effective = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        long started = System.nanoTime();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().start(() -> {
                for (int i = next.getAndIncrement(); i < contracts; i = next.getAndIncrement()) {
                    long sent = System.nanoTime();
                    try {
                        HttpResponse<String> r = post("v1/market/contracts", bodies.get(i), null);
                        if (r.statusCode() == 201 && r.body().contains("\"EFFECTIVE\"")) {
                            effective.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (IOException | InterruptedException e) {
                        failed.incrementAndGet();
                    }
                    nanos[i] = System.nanoTime() - sent;
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Arrays.sort(nanos);
        out.printf("%,d contracts proposed through %s from %d threads in %.2f s: %,.0f contracts/s offer to effective "
                        + "(%,d effective, %,d not)%n", contracts, base, threads, seconds, contracts / seconds,
                effective.get(), failed.get());
        out.printf("per proposal, request to answer: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", nanos[contracts / 2] / 1e6,
                nanos[Math.min(contracts - 1, (int) (contracts * 0.99))] / 1e6, nanos[contracts - 1] / 1e6);
    }

    private Party party(String role, long money) throws Exception {
        String id = role + "-" + run;
        expect(post("v1/accounts", "{\"requestId\":\"a-" + id + "\",\"accountId\":\"" + id
                + "\",\"kind\":\"SUBSCRIBER\"}", null), 201, "account " + id);
        if (money > 0) {
            expect(post("v1/accounts/" + id + "/topups", "{\"requestId\":\"t-" + id + "\",\"unit\":\"MONEY\","
                    + "\"amount\":" + money + "}", null), 201, "top-up of " + id);
        }
        String secret = id + "-sim-secret-0123";
        expect(post("v1/sims", "{\"requestId\":\"s-" + id + "\",\"simId\":\"sim-" + id + "\",\"accountId\":\"" + id
                + "\",\"secret\":\"" + secret + "\"}", null), 201, "SIM of " + id);
        String token = JSON.readTree(expect(post("v1/devices/sim-" + id + "/register", "{\"deviceId\":\"phone-" + id
                + "\",\"simSecret\":\"" + secret + "\"}", null), 200, "device of " + id)).path("token").asText();
        JsonNode registered = JSON.readTree(expect(post("v1/market/providers", "{\"simId\":\"sim-" + id + "\"}", token),
                201, "registration of " + id));
        return new Party(id, Ed25519.fromSeed(Base64.getDecoder().decode(registered.path("seed").asText())),
                registered.path("serviceId").asText());
    }

    private HttpResponse<String> post(String path, String json, String deviceToken)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(90))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (deviceToken != null) {
            request.header("Credence-Device-Token", deviceToken);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String expect(HttpResponse<String> reply, int status, String what) {
        if (reply.statusCode() != status) {
            throw new IllegalStateException(what + ": " + reply.statusCode() + " " + reply.body());
        }
        return reply.body();
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
