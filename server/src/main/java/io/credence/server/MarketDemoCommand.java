package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.http.ApiKeys;
import io.credence.market.contract.BuyerType;
import io.credence.market.contract.ChargingStandard;
import io.credence.market.contract.Contract;
import io.credence.market.contract.Ed25519;
import io.credence.market.contract.Offer;
import io.credence.market.contract.Payment;
import io.credence.market.contract.ResourceType;
import io.credence.market.contract.Signed;
import io.credence.market.log.MerkleHashes;
import io.credence.market.log.Proofs;
import io.credence.market.log.SignedTreeHead;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code credence demo market}: the relay marketplace's two signalling flows on an embedded
 * server with API keys, over its HTTP API — a personal terminal choosing between two providers'
 * offers, and an operator buying relay for its subscriber's terminal — through validation,
 * allocation by the home base station, termination and settlement, ending with an inclusion proof
 * of a contract checked against the signed tree head.
 */
@Command(name = "market", mixinStandardHelpOptions = true,
        description = "Run the relay marketplace's two flows on an embedded server.")
final class MarketDemoCommand implements Callable<Integer> {
    private static final String BS_SECRET = "demo-base-station-secret";
    private final PrintStream out = System.out;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Map<String, String> tokens = new HashMap<>();
    private final Map<String, Ed25519.KeyPair> keys = new HashMap<>();
    private final Map<String, String> services = new HashMap<>();
    private URI base;
    private String admin;
    /** The base station bs-1's key and the operator telco's: each acts only for its own principal. */
    private String baseStationKey;
    private String operatorKey;
    private String device;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("credence-market-demo-");
        admin = randomKey();
        baseStationKey = randomKey();
        operatorKey = randomKey();
        device = randomKey();
        Path keyFile = dir.resolve("api-keys");
        Files.writeString(keyFile, "demo-admin admin " + ApiKeys.digestHex(admin) + "\n"
                + "demo-bs network-function " + ApiKeys.digestHex(baseStationKey) + " base-station:bs-1\n"
                + "demo-telco network-function " + ApiKeys.digestHex(operatorKey) + " operator:telco\n"
                + "demo-terminals device " + ApiKeys.digestHex(device) + "\n");
        try (CredenceServer server = CredenceServer.start(ServerConfig.defaults(dir.resolve("data")).withHttpPort(0)
                .withHttpAccess(new HttpAccess(ApiKeys.read(keyFile), null)), fatal -> {
                    throw new IllegalStateException("journal failure in the demo", fatal);
                })) {
            base = URI.create("http://127.0.0.1:" + server.httpPort());
            out.println("Credence market demo: server on " + base + ", data in " + dir.resolve("data"));
            setUp();
            String personal = personalFlow();
            operatorFlow();
            proof(personal);
            out.println("\nMarket demo finished.");
        } finally {
            DemoCommand.deleteTree(dir);
        }
        return 0;
    }

    private void setUp() throws Exception {
        step("Accounts, terminals and the base station");
        for (String[] p : new String[][] {{"alice", "SUBSCRIBER", "0"}, {"erin", "SUBSCRIBER", "0"},
                {"bob", "SUBSCRIBER", "20000"}, {"dave", "SUBSCRIBER", "0"}, {"telco", "OPERATOR", "100000"}}) {
            expect(call("POST", "/v1/accounts", admin, "{\"requestId\":\"demo-" + p[0] + "\",\"accountId\":\"" + p[0]
                    + "\",\"kind\":\"" + p[1] + "\"}", Map.of()), 201);
            if (!p[2].equals("0")) {
                expect(call("POST", "/v1/accounts/" + p[0] + "/topups", admin, "{\"requestId\":\"demo-m-" + p[0]
                        + "\",\"unit\":\"MONEY\",\"amount\":" + p[2] + "}", Map.of()), 201);
            }
            if (!p[1].equals("OPERATOR")) {
                expect(call("POST", "/v1/sims", admin, "{\"simId\":\"sim-" + p[0] + "\",\"accountId\":\"" + p[0]
                        + "\",\"secret\":\"" + p[0] + "-demo-sim-secret\"}", Map.of()), 201);
                JsonNode registered = expect(call("POST", "/v1/devices/sim-" + p[0] + "/register", device,
                        "{\"deviceId\":\"phone-" + p[0] + "\",\"simSecret\":\"" + p[0] + "-demo-sim-secret\"}", Map.of()), 200);
                tokens.put(p[0], registered.path("token").asText());
            }
        }
        expect(call("POST", "/v1/base-stations", admin, "{\"baseStationId\":\"bs-1\",\"secret\":\"" + BS_SECRET + "\"}",
                Map.of()), 201);
        for (String party : List.of("alice", "erin", "bob")) {
            String home = party.equals("bob") ? "" : ",\"homeBaseStationId\":\"bs-1\"";
            JsonNode r = expect(call("POST", "/v1/market/providers", device, "{\"simId\":\"sim-" + party + "\"" + home + "}",
                    Map.of("Credence-Device-Token", tokens.get(party))), 201);
            keys.put(party, Ed25519.fromSeed(Base64.getDecoder().decode(r.path("seed").asText())));
            services.put(party, r.path("serviceId").asText());
            out.printf("  %s registered: service %s, key %s...%n", party, r.path("serviceId").asText(),
                    r.path("publicKey").asText().substring(0, 12));
        }
        JsonNode operator = expect(call("POST", "/v1/market/operators", operatorKey, "{\"accountId\":\"telco\"}",
                Map.of()), 201);
        keys.put("telco", Ed25519.fromSeed(Base64.getDecoder().decode(operator.path("seed").asText())));
        out.println("  telco registered as an operator buyer");
    }

    /** Mode A: two providers broadcast offers; bob ranks them by his weights and contracts the best. */
    private String personalFlow() throws Exception {
        step("Flow 1: a personal terminal chooses between two providers");
        long now = System.currentTimeMillis();
        publish(offer("alice-offer", "alice", now, now + 3_600_000, 4, 120));
        publish(offer("erin-offer", "erin", now, now + 3_600_000, 3, 90));
        JsonNode ranked = expect(call("GET", "/v1/market/offers?resourceType=DATA_BYTES&amount=5000000&from=" + now
                 + "&to=" + (now + 3_600_000) + "&maxPrice=150&weights=" + URLEncoder.encode("5,1,1", StandardCharsets.UTF_8), device,
                null, Map.of()), 200).path("offers");
        for (JsonNode o : ranked) {
            out.printf("  offer %-12s by %-5s %d per MB, level %d: score %d%n", o.path("offerId").asText(),
                    o.path("providerId").asText(), o.path("pricePerUnitMinor").asLong(), o.path("serviceLevel").asLong(),
                    o.path("score").asLong());
        }
        Signed<Offer> chosen = Signed.decode(Base64.getDecoder().decode(ranked.get(0).path("signedOffer").asText()),
                Offer.class);
        out.println("  bob picks " + chosen.entry().offerId() + ", the best for his weights (price 5, level 1, period 1; "
                + "at most 150 per MB)");
        String id = contract("personal-1", chosen, "bob", BuyerType.PERSONAL, "bob");
        allocate(id);
        JsonNode ended = expect(call("POST", "/v1/market/contracts/" + id + "/cancel", device, "{\"simId\":\"sim-bob\"}",
                Map.of("Credence-Device-Token", tokens.get("bob"))), 200);
        out.printf("  bob stops early after %d ms: fee %d (pro rata of %d for the hour)%n",
                ended.path("actualDurationMillis").asLong(), ended.path("feePaidMinor").asLong(),
                5 * chosen.entry().pricePerUnitMinor());
        balances("bob", chosen.entry().providerId());
        return id;
    }

    /** An operator buys relay for its subscriber dave's terminal, completes, and settles in its batch. */
    private void operatorFlow() throws Exception {
        step("Flow 2: an operator buys relay for its subscriber's terminal");
        long now = System.currentTimeMillis();
        Signed<Offer> offer = offer("alice-short", "alice", now, now + 1_500, 4, 120);
        publish(offer);
        String id = contract("operator-1", offer, "telco", BuyerType.OPERATOR, "sim-dave");
        allocate(id);
        Thread.sleep(Math.max(0, now + 1_600 - System.currentTimeMillis()));
        JsonNode ended = expect(call("POST", "/v1/market/contracts/" + id + "/complete", device,
                "{\"simId\":\"sim-alice\"}", Map.of("Credence-Device-Token", tokens.get("alice"))), 200);
        out.printf("  alice completes the contract: fee %d, to be settled in telco's batch%n",
                ended.path("feePaidMinor").asLong());
        JsonNode batch = expect(call("POST", "/v1/market/operators/telco/settlements", operatorKey, "{}", Map.of()), 200);
        out.printf("  telco's monthly batch settles %d contract(s), %d in all%n", batch.path("settled").size(),
                batch.path("totalMinor").asLong());
        balances("telco", "alice");
    }

    private String contract(String id, Signed<Offer> offer, String buyer, BuyerType type, String node) throws Exception {
        Offer o = offer.entry();
        Contract c = new Contract(id, o.hash(), o.providerId(), buyer, type, node, ResourceType.DATA_BYTES, 5_000_000,
                o.periodStartMillis(), o.periodEndMillis(), o.serviceLevel(), o.chargingStandard(), o.pricePerUnitMinor(),
                5 * o.pricePerUnitMinor(), Payment.MONEY, System.currentTimeMillis());
        Signed<Contract> signed = Signed.sign(c, buyer, keys.get(buyer)).cosign(o.providerId(), keys.get(o.providerId()));
        JsonNode made = expect(call("POST", "/v1/market/contracts", device, "{\"signedContract\":\""
                + Base64.getEncoder().encodeToString(signed.encode()) + "\"}", Map.of()), 201);
        out.printf("  contract %s signed by %s and %s, fee %d: %s, co-signed by %s, fee escrowed%n", id, buyer,
                o.providerId(), c.feeMinor(), made.path("status").asText(), made.path("validators"));
        return id;
    }

    private void allocate(String contractId) throws Exception {
        Map<String, String> station = Map.of("Credence-Base-Station-Id", "bs-1", "Credence-Base-Station-Secret", BS_SECRET);
        JsonNode pending = expect(call("GET", "/v1/market/allocations/pending", baseStationKey, null, station), 200);
        out.printf("  base station bs-1 has %d allocation(s) to make%n", pending.path("allocations").size());
        expect(call("POST", "/v1/market/contracts/" + contractId + "/allocation", baseStationKey, "{\"allocated\":true}",
                station), 200);
        out.println("  bs-1 allocates the relay resource for " + contractId);
    }

    private void proof(String contractId) throws Exception {
        step("The contract ledger proves it");
        JsonNode contract = expect(call("GET", "/v1/market/contracts/" + contractId, admin, null, Map.of()), 200);
        JsonNode head = expect(call("GET", "/v1/market/log", admin, null, Map.of()), 200);
        long index = contract.path("logIndex").asLong();
        long size = head.path("size").asLong();
        Base64.Decoder b64 = Base64.getDecoder();
        SignedTreeHead sth = new SignedTreeHead(size, head.path("timestampMillis").asLong(),
                b64.decode(head.path("rootHash").asText()), b64.decode(head.path("signature").asText()));
        JsonNode entry = expect(call("GET", "/v1/market/log/entries/" + index, admin, null, Map.of()), 200);
        JsonNode proof = expect(call("GET", "/v1/market/log/proofs/inclusion?index=" + index + "&size=" + size, admin,
                null, Map.of()), 200);
        List<byte[]> nodes = new ArrayList<>();
        proof.path("proof").forEach(n -> nodes.add(b64.decode(n.asText())));
        boolean signedHead = sth.verify(b64.decode(head.path("publicKey").asText()));
        Proofs.Result included = Proofs.verifyInclusion(index, size,
                MerkleHashes.leafHash(b64.decode(entry.path("entry").asText())), nodes, sth.rootHash());
        out.printf("  signed tree head: %d entries, signature %s%n", size, signedHead ? "valid" : "INVALID");
        out.printf("  contract %s is entry %d: inclusion proof of %d nodes %s%n", contractId, index, nodes.size(),
                included instanceof Proofs.Verified ? "verified" : "REJECTED " + included);
        if (!signedHead || !(included instanceof Proofs.Verified)) {
            throw new IllegalStateException("the ledger proof did not verify");
        }
    }

    private Signed<Offer> offer(String id, String provider, long start, long end, int level, long price) {
        return Signed.sign(new Offer(id, services.get(provider), provider, "sim-" + provider, start, end, level, price,
                ChargingStandard.PER_MB, ResourceType.DATA_BYTES, 50_000_000), provider, keys.get(provider));
    }

    private void publish(Signed<Offer> offer) throws Exception {
        expect(call("POST", "/v1/market/offers", device, "{\"signedOffer\":\""
                + Base64.getEncoder().encodeToString(offer.encode()) + "\"}", Map.of()), 201);
        out.printf("  %s offers %s: %d per MB, level %d%n", offer.entry().providerId(), offer.entry().offerId(),
                offer.entry().pricePerUnitMinor(), offer.entry().serviceLevel());
    }

    private void balances(String buyer, String provider) throws Exception {
        for (String account : List.of(buyer, provider)) {
            JsonNode view = expect(call("GET", "/v1/accounts/" + account, admin, null, Map.of()), 200);
            long total = 0;
            long reserved = 0;
            for (JsonNode b : view.path("balances")) {
                if (b.path("unit").asText().equals("MONEY")) {
                    total = b.path("total").asLong();
                    reserved = b.path("reserved").asLong();
                }
            }
            out.printf("  %-6s money %,d (escrowed %,d)%n", account, total, reserved);
        }
    }

    private record Reply(int status, JsonNode body, String raw) {}

    private Reply call(String method, String path, String key, String json, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key);
        headers.forEach(request::header);
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body().isEmpty() ? ApiClient.JSON.createObjectNode() : ApiClient.JSON.readTree(r.body()),
                r.body());
    }

    private static JsonNode expect(Reply reply, int status) {
        if (reply.status() != status) {
            throw new IllegalStateException("expected HTTP " + status + ", got " + reply.status() + ": " + reply.raw());
        }
        return reply.body();
    }

    private void step(String title) {
        out.println("\n== " + title);
    }

    private static String randomKey() {
        byte[] bytes = new byte[24];
        new java.security.SecureRandom().nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }
}
