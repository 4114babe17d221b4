package io.credence.server.devices;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.market.contract.BuyerType;
import io.credence.market.contract.ChargingStandard;
import io.credence.market.contract.Contract;
import io.credence.market.contract.Ed25519;
import io.credence.market.contract.Offer;
import io.credence.market.contract.Payment;
import io.credence.market.contract.Request;
import io.credence.market.contract.RequestAnswer;
import io.credence.market.contract.ResourceType;
import io.credence.market.contract.Signed;
import io.credence.market.contract.UnitKind;
import io.credence.market.contract.Validation;
import io.credence.market.contract.Withdrawal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A personal terminal buys relay service from a provider over the real HTTP API: the contract
 * signed by both is checked, validated by a 3-of-4 quorum, escrowed in the ledger and settled at
 * its end — by completion, by the buyer stopping early (pro rata) or by the provider stopping
 * early at a fee the buyer accepts — exactly once, also across a restart.
 */
class MarketContractTest {
    private static final Base64.Decoder B64D = Base64.getDecoder();

    @TempDir
    Path dir;
    DeviceWorld world;
    final Map<String, String> tokens = new HashMap<>();
    final Map<String, Ed25519.KeyPair> keys = new HashMap<>();
    String aliceService;

    @BeforeEach
    void start() throws Exception {
        world = DeviceWorld.start(dir, DeviceWorld.settings(Duration.ofMinutes(2)));
        for (String[] party : new String[][] {{"alice", "0"}, {"bob", "20000"}, {"dave", "50"}, {"erin", "2000"}}) {
            world.subscriber(party[0], 0, Long.parseLong(party[1]));
            world.sim("sim-" + party[0], party[0], party[0] + "-sim-secret-0123");
            tokens.put(party[0], world.register("sim-" + party[0], "phone-" + party[0], party[0] + "-sim-secret-0123"));
            DeviceWorld.Reply registered = world.call("POST", "/v1/market/providers", DeviceWorld.DEVICE,
                    "{\"simId\":\"sim-" + party[0] + "\"}", "Credence-Device-Token", tokens.get(party[0]));
            assertThat(registered.status()).isEqualTo(201);
            keys.put(party[0], Ed25519.fromSeed(B64D.decode(registered.body().path("seed").asText())));
            if (party[0].equals("alice")) {
                aliceService = registered.body().path("serviceId").asText();
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        world.close();
    }

    private Signed<Offer> publish(String offerId, long start, long end) {
        Signed<Offer> offer = Signed.sign(new Offer(offerId, aliceService, "alice", "sim-alice", start, end, 3, 100,
                ChargingStandard.PER_MB, ResourceType.DATA_BYTES, 50_000_000), "alice", keys.get("alice"));
        assertThat(post("/v1/market/offers", "signedOffer", offer.encode()).status()).isEqualTo(201);
        return offer;
    }

    /** 5 MB at 100 per MB: a fee of 500. */
    private static Contract contract(String id, Signed<Offer> offer, String buyer, long fee) {
        Offer o = offer.entry();
        return new Contract(id, o.hash(), "alice", buyer, BuyerType.PERSONAL, buyer, ResourceType.DATA_BYTES,
                5_000_000, o.periodStartMillis(), o.periodEndMillis(), 3, ChargingStandard.PER_MB, 100, fee,
                Payment.MONEY, System.currentTimeMillis());
    }

    /** Like {@link #contract} for bob, paid in data packs. */
    private static Contract inDataPacks(String id, Signed<Offer> offer, long now) {
        Offer o = offer.entry();
        return new Contract(id, o.hash(), "alice", "bob", BuyerType.PERSONAL, "bob", ResourceType.DATA_BYTES, 5_000_000,
                o.periodStartMillis(), o.periodEndMillis(), 3, ChargingStandard.PER_MB, 100, 500,
                new Payment.Units(UnitKind.DATA_PACK), now);
    }

    private Signed<Contract> signedByBoth(Contract c) {
        return Signed.sign(c, c.buyerId(), keys.get(c.buyerId())).cosign(c.providerId(), keys.get(c.providerId()));
    }

    private DeviceWorld.Reply post(String path, String field, byte[] signed) {
        return world.call("POST", path, DeviceWorld.DEVICE, "{\"" + field + "\":\""
                + Base64.getEncoder().encodeToString(signed) + "\"}");
    }

    private DeviceWorld.Reply act(String contractId, String action, String party, String extra) {
        return world.call("POST", "/v1/market/contracts/" + contractId + "/" + action, DeviceWorld.DEVICE,
                "{\"simId\":\"sim-" + party + "\"" + extra + "}", "Credence-Device-Token", tokens.get(party));
    }

    @Test
    void aQuorumMakesTheContractEffectiveTheFeeIsEscrowedAndCompletionPaysItOnce() throws Exception {
        long now = System.currentTimeMillis();
        Signed<Offer> offer = publish("o1", now, now + 2_000);
        DeviceWorld.Reply effective = post("/v1/market/contracts", "signedContract",
                signedByBoth(contract("c1", offer, "bob", 500)).encode());
        assertThat(effective.status()).as(effective.body().toString()).isEqualTo(201);
        assertThat(effective.body().path("validators").size()).isGreaterThanOrEqualTo(3);
        assertThat(world.available("bob", "MONEY")).as("the fee is escrowed").isEqualTo(19_500);
        assertThat(world.total("bob", "MONEY")).isEqualTo(20_000);

        assertThat(act("c1", "complete", "alice", "").problemType()).as("not before its end").isEqualTo("contract-state");
        assertThat(act("c1", "complete", "bob", "").problemType()).as("only the provider").isEqualTo("not-a-party");
        Thread.sleep(Math.max(0, now + 2_100 - System.currentTimeMillis()));
        DeviceWorld.Reply completed = act("c1", "complete", "alice", "");
        assertThat(completed.status()).as(completed.body().toString()).isEqualTo(200);
        assertThat(completed.body().path("feePaidMinor").asLong()).isEqualTo(500);
        assertThat(act("c1", "complete", "alice", "").problemType()).isEqualTo("contract-state");
        assertThat(world.total("bob", "MONEY")).isEqualTo(19_500);
        assertThat(world.available("bob", "MONEY")).isEqualTo(19_500);
        assertThat(world.total("alice", "MONEY")).isEqualTo(500);
        // offer, contract, three validations (the quorum; the fourth validator is asked only when
        // one refuses) and the result after four registrations
        assertThat(world.call("GET", "/v1/market/log", DeviceWorld.ADMIN, null).body().path("size").asLong())
                .isEqualTo(4 + 1 + 1 + 3 + 1);

        world.close();
        world = DeviceWorld.start(dir, DeviceWorld.settings(Duration.ofMinutes(2)));
        JsonNode shown = world.call("GET", "/v1/market/contracts/c1", DeviceWorld.ADMIN, null).body();
        assertThat(shown.path("status").asText()).isEqualTo("ENDED");
        assertThat(shown.path("termination").asText()).isEqualTo("COMPLETED");
        assertThat(world.total("alice", "MONEY")).as("settled once, not again on replay").isEqualTo(500);
        assertThat(world.total("bob", "MONEY")).isEqualTo(19_500);
    }

    @Test
    void forgedChangedOrUnpayableContractsAndWithdrawnOffersAreRefusedAndNothingIsHeld() {
        long now = System.currentTimeMillis();
        Signed<Offer> offer = publish("o2", now, now + 60_000);
        Ed25519.KeyPair mallory = Ed25519.generate(new SecureRandom());
        Contract c = contract("c2", offer, "bob", 500);
        DeviceWorld.Reply forged = post("/v1/market/contracts", "signedContract",
                Signed.sign(c, "bob", mallory).cosign("alice", keys.get("alice")).encode());
        assertThat(forged.problemType()).isEqualTo("contract-refused");
        assertThat(forged.body().path("detail").asText()).contains("bob");
        DeviceWorld.Reply onlyBuyer = post("/v1/market/contracts", "signedContract",
                Signed.sign(c, "bob", keys.get("bob")).encode());
        assertThat(onlyBuyer.problemType()).isEqualTo("contract-refused");
        Signed<Contract> honest = signedByBoth(c);
        Contract cheaper = contract("c2", offer, "bob", 1);
        DeviceWorld.Reply changed = post("/v1/market/contracts", "signedContract",
                new Signed<>(cheaper, honest.signatures()).encode());
        assertThat(changed.problemType()).as("changed after signing").isEqualTo("contract-refused");
        DeviceWorld.Reply poor = post("/v1/market/contracts", "signedContract",
                signedByBoth(contract("c3", offer, "dave", 500)).encode());
        assertThat(poor.problemType()).isEqualTo("payment-refused");
        assertThat(poor.body().path("detail").asText()).contains("estimated fee");

        Signed<Withdrawal> withdrawal = Signed.sign(new Withdrawal("o2", "alice", now), "alice", keys.get("alice"));
        assertThat(post("/v1/market/withdrawals", "signedWithdrawal", withdrawal.encode()).status()).isEqualTo(201);
        assertThat(post("/v1/market/contracts", "signedContract", honest.encode()).body().path("detail").asText())
                .contains("no live offer");
        assertThat(world.available("bob", "MONEY")).isEqualTo(20_000);
        assertThat(world.available("dave", "MONEY")).isEqualTo(50);
    }

    @Test
    void theProvidersHomeBaseStationAllocatesOrRefusesAndARefusalReturnsTheEscrow() {
        world.baseStation("bs-home", "home-station-secret-01");
        world.baseStation("bs-other", "other-station-secret-1");
        assertThat(world.call("POST", "/v1/market/providers", DeviceWorld.DEVICE,
                "{\"simId\":\"sim-alice\",\"homeBaseStationId\":\"bs-home\"}", "Credence-Device-Token",
                tokens.get("alice")).status()).isEqualTo(200);
        long now = System.currentTimeMillis();
        Signed<Offer> offer = publish("o5", now, now + 60_000);
        assertThat(post("/v1/market/contracts", "signedContract",
                signedByBoth(contract("served", offer, "bob", 500)).encode()).status()).isEqualTo(201);
        assertThat(post("/v1/market/contracts", "signedContract",
                signedByBoth(contract("refused", offer, "bob", 500)).encode()).status()).isEqualTo(201);

        JsonNode pending = world.station("GET", "/v1/market/allocations/pending", "bs-home", "home-station-secret-01",
                null).body().path("allocations");
        assertThat(pending).hasSize(2);
        assertThat(pending.get(0).path("resourceUsingNode").asText()).isEqualTo("bob");
        assertThat(world.station("GET", "/v1/market/allocations/pending", "bs-other", "other-station-secret-1", null)
                .body().path("allocations")).isEmpty();
        assertThat(world.station("POST", "/v1/market/contracts/served/allocation", "bs-other", "other-station-secret-1",
                "{\"allocated\":true}").problemType()).as("not its home").isEqualTo("not-a-party");
        assertThat(world.station("POST", "/v1/market/contracts/served/allocation", "bs-home", "home-station-secret-01",
                "{\"allocated\":true}").body().path("allocation").asText()).isEqualTo("ALLOCATED");
        assertThat(world.station("POST", "/v1/market/contracts/served/allocation", "bs-home", "home-station-secret-01",
                "{\"allocated\":false}").problemType()).isEqualTo("contract-state");
        DeviceWorld.Reply refused = world.station("POST", "/v1/market/contracts/refused/allocation", "bs-home",
                "home-station-secret-01", "{\"allocated\":false,\"reason\":\"no relay capacity\"}");
        assertThat(refused.body().path("allocation").asText()).isEqualTo("REFUSED");
        assertThat(refused.body().path("feePaidMinor").asLong()).isZero();
        assertThat(world.call("GET", "/v1/market/contracts/served", DeviceWorld.ADMIN, null).body().path("allocation")
                .asText()).isEqualTo("ALLOCATED");
        assertThat(world.available("bob", "MONEY")).as("only the served contract's fee is held").isEqualTo(19_500);
        assertThat(world.station("GET", "/v1/market/allocations/pending", "bs-home", "home-station-secret-01", null)
                .body().path("allocations")).isEmpty();
    }

    @Test
    void anOperatorBuysForItsSubscribersTerminalAndSettlesItsEndedContractsInOneBatch() throws Exception {
        assertThat(world.admin("POST", "/v1/accounts", "{\"requestId\":\"acc-telco\",\"accountId\":\"telco\","
                + "\"kind\":\"OPERATOR\"}").status()).isEqualTo(201);
        assertThat(world.admin("POST", "/v1/accounts/telco/topups", "{\"requestId\":\"money-telco\",\"unit\":\"MONEY\","
                + "\"amount\":100000}").status()).isEqualTo(201);
        assertThat(world.call("POST", "/v1/market/operators", DeviceWorld.DEVICE, "{\"accountId\":\"telco\"}")
                .problemType()).as("a terminal cannot register an operator").isEqualTo("forbidden");
        assertThat(world.call("POST", "/v1/market/operators", DeviceWorld.ADMIN, "{\"accountId\":\"bob\"}")
                .problemType()).as("a subscriber account is no operator").isEqualTo("not-qualified");
        DeviceWorld.Reply operator = world.call("POST", "/v1/market/operators", DeviceWorld.OPERATOR_KEY,
                "{\"accountId\":\"telco\"}");
        assertThat(operator.status()).isEqualTo(201);
        keys.put("telco", Ed25519.fromSeed(B64D.decode(operator.body().path("seed").asText())));

        long now = System.currentTimeMillis();
        Signed<Offer> offer = publish("o6", now, now + 1_500);
        Offer o = offer.entry();
        Contract forSubscriber = new Contract("op-1", o.hash(), "alice", "telco", BuyerType.OPERATOR, "sim-dave",
                ResourceType.DATA_BYTES, 5_000_000, o.periodStartMillis(), o.periodEndMillis(), 3,
                ChargingStandard.PER_MB, 100, 500, Payment.MONEY, now);
        assertThat(post("/v1/market/contracts", "signedContract", signedByBoth(forSubscriber).encode()).status())
                .isEqualTo(201);
        assertThat(world.available("telco", "MONEY")).isEqualTo(99_500);
        Thread.sleep(Math.max(0, now + 1_600 - System.currentTimeMillis()));
        assertThat(act("op-1", "complete", "alice", "").body().path("feePaidMinor").asLong()).isEqualTo(500);
        assertThat(world.total("alice", "MONEY")).as("operators pay in their period's batch").isZero();
        assertThat(world.total("telco", "MONEY")).isEqualTo(100_000);

        assertThat(world.call("POST", "/v1/market/operators/telco/settlements", DeviceWorld.DEVICE, "{}").problemType())
                .isEqualTo("forbidden");
        DeviceWorld.Reply batch = world.call("POST", "/v1/market/operators/telco/settlements",
                DeviceWorld.OPERATOR_KEY, "{}");
        assertThat(batch.body().path("settled")).hasSize(1);
        assertThat(batch.body().path("totalMinor").asLong()).isEqualTo(500);
        assertThat(world.total("alice", "MONEY")).isEqualTo(500);
        assertThat(world.total("telco", "MONEY")).isEqualTo(99_500);
        assertThat(world.available("telco", "MONEY")).isEqualTo(99_500);
        assertThat(world.call("POST", "/v1/market/operators/telco/settlements", DeviceWorld.OPERATOR_KEY, "{}")
                .body().path("totalMinor").asLong()).as("settled once").isZero();
    }

    @Test
    void aBuyerBroadcastsARequestProvidersAnswerAndTheBuyerContractsAnOfferedOne() {
        long now = System.currentTimeMillis();
        Request need = new Request("req-1", "bob", BuyerType.PERSONAL, ResourceType.DATA_BYTES, 5_000_000, now,
                now + 60_000, 2, 200);
        assertThat(post("/v1/market/requests", "signedRequest", Signed.sign(need, "bob",
                Ed25519.generate(new SecureRandom())).encode()).body().path("detail").asText())
                .contains("not buyer 'bob''s registered key");
        assertThat(post("/v1/market/requests", "signedRequest", Signed.sign(need, "bob", keys.get("bob")).encode())
                .status()).isEqualTo(201);
        JsonNode open = world.call("GET", "/v1/market/requests", DeviceWorld.DEVICE, null).body().path("requests");
        assertThat(open).hasSize(1);
        assertThat(open.get(0).path("requestId").asText()).isEqualTo("req-1");

        Signed<Offer> offer = publish("o8", now, now + 60_000);
        assertThat(post("/v1/market/requests/req-1/answers", "signedAnswer",
                Signed.sign(new RequestAnswer("req-1", "alice", "o8"), "alice", keys.get("alice")).encode()).status())
                .isEqualTo(201);
        assertThat(post("/v1/market/requests/req-1/answers", "signedAnswer",
                Signed.sign(new RequestAnswer("req-1", "dave", "o8"), "dave", keys.get("dave")).encode()).body()
                .path("detail").asText()).as("not dave's offer").contains("not a live offer of 'dave'");
        assertThat(post("/v1/market/requests/req-1/answers", "signedAnswer",
                Signed.sign(new RequestAnswer("req-1", "dave", null), "dave", keys.get("dave")).encode()).status())
                .as("cannot serve").isEqualTo(201);
        assertThat(post("/v1/market/requests/req-1/answers", "signedAnswer",
                Signed.sign(new RequestAnswer("req-1", "alice", null), "alice", keys.get("alice")).encode()).body()
                .path("detail").asText()).contains("answered already");

        JsonNode answers = world.call("GET", "/v1/market/requests/req-1", DeviceWorld.DEVICE, null).body().path("answers");
        assertThat(answers).hasSize(2);
        JsonNode serving = answers.get(0).path("canServe").asBoolean() ? answers.get(0) : answers.get(1);
        Signed<Offer> picked = Signed.decode(B64D.decode(serving.path("signedOffer").asText()), Offer.class);
        assertThat(picked.entry().offerId()).isEqualTo(offer.entry().offerId());
        assertThat(post("/v1/market/contracts", "signedContract",
                signedByBoth(contract("from-request", picked, "bob", 500)).encode()).status()).isEqualTo(201);
    }

    @Test
    void aContractPaidInDataPacksEscrowsAndSettlesBytesAtTheOperatorsRate() throws Exception {
        assertThat(world.admin("POST", "/v1/accounts/bob/topups", "{\"requestId\":\"bob-bytes\",\"unit\":\"BYTES\","
                + "\"amount\":10000000}").status()).isEqualTo(201);
        long now = System.currentTimeMillis();
        Signed<Offer> offer = publish("o9", now, now + 1_500);
        Contract inData = inDataPacks("units-1", offer, now);
        assertThat(post("/v1/market/contracts", "signedContract", signedByBoth(inData).encode()).status()).isEqualTo(201);
        // a fee of 500 minor units at 10,000 bytes each
        assertThat(world.available("bob", "BYTES")).isEqualTo(5_000_000);
        assertThat(world.available("bob", "MONEY")).as("money untouched").isEqualTo(20_000);
        Thread.sleep(Math.max(0, now + 1_600 - System.currentTimeMillis()));
        assertThat(act("units-1", "complete", "alice", "").status()).isEqualTo(200);
        assertThat(world.total("alice", "BYTES")).isEqualTo(5_000_000);
        assertThat(world.total("bob", "BYTES")).isEqualTo(5_000_000);
        assertThat(world.total("bob", "MONEY")).isEqualTo(20_000);
    }

    @Test
    void theOperatorsRateAppliesWhenTheEscrowIsTakenAndSettlementPaysOutOfWhatWasEscrowed() throws Exception {
        world.close();
        io.credence.server.MarketSettings doubled = io.credence.server.MarketSettings.IN_PROCESS.withRates(
                Map.of(UnitKind.DATA_PACK, new io.credence.market.trade.ContractDesk.Rate(io.credence.ledger.Unit.BYTES,
                        20_000)));
        world = DeviceWorld.start(dir, DeviceWorld.settings(Duration.ofMinutes(2)), doubled);
        assertThat(world.admin("POST", "/v1/accounts/bob/topups", "{\"requestId\":\"bob-bytes-2\",\"unit\":\"BYTES\","
                + "\"amount\":20000000}").status()).isEqualTo(201);
        long now = System.currentTimeMillis();
        Signed<Offer> offer = publish("o10", now, now + 100_000);
        Contract inData = inDataPacks("units-2", offer, now);
        assertThat(post("/v1/market/contracts", "signedContract", signedByBoth(inData).encode()).status()).isEqualTo(201);
        assertThat(world.available("bob", "BYTES")).as("500 at 20,000 bytes each").isEqualTo(10_000_000);

        // the operator goes back to its default rate (10,000 bytes); the contract keeps the one it was escrowed at
        world.close();
        world = DeviceWorld.start(dir, DeviceWorld.settings(Duration.ofMinutes(2)));
        DeviceWorld.Reply cancelled = act("units-2", "cancel", "bob", "");
        assertThat(cancelled.status()).as(cancelled.body().toString()).isEqualTo(200);
        long proRata = cancelled.body().path("feePaidMinor").asLong();
        assertThat(proRata).isBetween(1L, 50L);
        assertThat(world.total("alice", "BYTES")).isEqualTo(proRata * 20_000);
        assertThat(world.total("bob", "BYTES")).isEqualTo(20_000_000 - proRata * 20_000);
        assertThat(world.available("bob", "BYTES")).as("the rest of the escrow returned").isEqualTo(20_000_000 - proRata * 20_000);
    }

    /**
     * Contracts proposed at the same moment are admitted together (one log force, one escrow
     * force); within such a batch, what earlier contracts escrow is spent for the later ones'
     * payment check, and an id proposed twice is taken once.
     */
    @Test
    void concurrentProposalsFromOneBuyerEscrowNoMoreThanItHasAndTakeAnIdOnce() throws Exception {
        long now = System.currentTimeMillis();
        Signed<Offer> offer = publish("o6", now, now + 60_000);
        java.util.List<Signed<Contract>> proposals = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            proposals.add(signedByBoth(contract("erin-" + i, offer, "erin", 500)));
        }
        // 2,000 pays four fees of 500 (and is below the 10,000 that would waive the check)
        assertThat(proposeAtOnce(proposals)).containsEntry("effective", 4).containsEntry("payment-refused", 6).hasSize(2);
        assertThat(world.available("erin", "MONEY")).isZero();
        assertThat(world.total("erin", "MONEY")).isEqualTo(2_000);

        // one contract proposed five times at once is taken once and escrowed once
        Signed<Contract> same = signedByBoth(contract("bob-once", offer, "bob", 500));
        assertThat(proposeAtOnce(java.util.Collections.nCopies(5, same))).containsEntry("effective", 1)
                .containsEntry("contract-exists", 4).hasSize(2);
        assertThat(world.available("bob", "MONEY")).isEqualTo(20_000 - 500);
        // registrations, the offer, and each effective contract with its three verdicts; nothing refused was logged
        assertThat(world.call("GET", "/v1/market/log", DeviceWorld.ADMIN, null).body().path("size").asLong())
                .isEqualTo(4 + 1 + 5 * (1 + 3));
    }

    /** Posts the contracts from one thread each, released together; counts the answers by kind. */
    private Map<String, Integer> proposeAtOnce(java.util.List<Signed<Contract>> proposals) throws InterruptedException {
        java.util.concurrent.ConcurrentMap<String, Integer> byAnswer = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        java.util.List<Thread> proposers = new java.util.ArrayList<>();
        for (Signed<Contract> p : proposals) {
            proposers.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                DeviceWorld.Reply reply = post("/v1/market/contracts", "signedContract", p.encode());
                byAnswer.merge(reply.status() == 201 ? "effective" : reply.problemType(), 1, Integer::sum);
            }));
        }
        go.countDown();
        for (Thread t : proposers) {
            t.join();
        }
        return byAnswer;
    }

    @Test
    void verdictsFromUnknownValidatorsWithWrongKeysAboutOtherContractsOrLateAreRefused() throws Exception {
        long now = System.currentTimeMillis();
        Signed<Offer> offer = publish("o4", now, now + 60_000);
        Signed<Contract> signed = signedByBoth(contract("c4", offer, "bob", 500));
        assertThat(post("/v1/market/contracts", "signedContract", signed.encode()).status()).isEqualTo(201);
        byte[] hash = signed.entry().hash();
        Ed25519.KeyPair validator1 = Ed25519.fromSeed(io.credence.market.log.LogKey.load(
                dir.resolve("data/market/validator-1.key")).seed());
        Ed25519.KeyPair stranger = Ed25519.generate(new SecureRandom());
        assertThat(verdict("c4", Signed.sign(new Validation(hash, "v9", true, ""), "v9", stranger)).body()
                .path("detail").asText()).contains("not one of the configured validators");
        assertThat(verdict("c4", Signed.sign(new Validation(hash, "validator-1", true, ""), "validator-1", stranger))
                .body().path("detail").asText()).contains("configured key");
        byte[] other = signedByBoth(contract("c5", offer, "bob", 500)).entry().hash();
        assertThat(verdict("c4", Signed.sign(new Validation(other, "validator-1", true, ""), "validator-1", validator1))
                .body().path("detail").asText()).contains("another contract");
        DeviceWorld.Reply late = verdict("c4", Signed.sign(new Validation(hash, "validator-1", true, ""), "validator-1",
                validator1));
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.body().path("detail").asText()).contains("EFFECTIVE already");
    }

    private DeviceWorld.Reply verdict(String contractId, Signed<Validation> verdict) {
        return post("/v1/market/contracts/" + contractId + "/validations", "signedValidation", verdict.encode());
    }

    @Test
    void aBuyerStoppingEarlyPaysProRataAndAProviderStoppingEarlyPaysTheAcceptedFee() {
        long now = System.currentTimeMillis();
        Signed<Offer> offer = publish("o3", now, now + 100_000);
        assertThat(post("/v1/market/contracts", "signedContract",
                signedByBoth(contract("early-buyer", offer, "bob", 500)).encode()).status()).isEqualTo(201);
        DeviceWorld.Reply cancelled = act("early-buyer", "cancel", "bob", "");
        assertThat(cancelled.status()).isEqualTo(200);
        long proRata = cancelled.body().path("feePaidMinor").asLong();
        assertThat(proRata).as("a few seconds of 100").isBetween(1L, 50L);

        assertThat(post("/v1/market/contracts", "signedContract",
                signedByBoth(contract("early-provider", offer, "bob", 500)).encode()).status()).isEqualTo(201);
        assertThat(act("early-provider", "early-termination", "alice", ",\"feeMinor\":600").problemType())
                .as("above the fee").isEqualTo("contract-state");
        assertThat(act("early-provider", "early-termination", "alice", ",\"feeMinor\":100").status()).isEqualTo(200);
        assertThat(act("early-provider", "early-termination/reject", "bob", "").body().path("proposal").asText())
                .isEqualTo("rejected");
        assertThat(act("early-provider", "early-termination", "alice", ",\"feeMinor\":200").status()).isEqualTo(200);
        assertThat(act("early-provider", "early-termination/accept", "alice", "").problemType()).isEqualTo("not-a-party");
        DeviceWorld.Reply accepted = act("early-provider", "early-termination/accept", "bob", "");
        assertThat(accepted.body().path("termination").asText()).isEqualTo("PROVIDER_EARLY");
        assertThat(accepted.body().path("feePaidMinor").asLong()).isEqualTo(200);
        assertThat(world.total("alice", "MONEY")).isEqualTo(proRata + 200);
        assertThat(world.total("bob", "MONEY")).isEqualTo(20_000 - proRata - 200);
        assertThat(world.available("bob", "MONEY")).as("no escrow left").isEqualTo(20_000 - proRata - 200);
    }
}
