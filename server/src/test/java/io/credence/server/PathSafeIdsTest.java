package io.credence.server;

import io.credence.market.contract.BuyerType;
import io.credence.market.contract.ChargingStandard;
import io.credence.market.contract.Contract;
import io.credence.market.contract.Offer;
import io.credence.market.contract.Payment;
import io.credence.market.contract.Request;
import io.credence.market.contract.ResourceType;
import io.credence.market.contract.Signed;
import io.credence.server.SecuredServer.Client;
import io.credence.server.SecuredServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static io.credence.server.SecuredServer.ADMIN;
import static io.credence.server.SecuredServer.DEVICE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every kind of id that ends up in a URL path refuses "." and "..", which path normalisers
 * remove or resolve (an account "." could be created and then never reached through curl or a
 * proxy), with a 400 naming the field; nothing is created.
 */
class PathSafeIdsTest {
    @TempDir
    Path dir;

    @Test
    void dotSegmentIdsAreRefusedNamingTheFieldForEveryKindOfId() throws Exception {
        try (CredenceServer server = SecuredServer.start(dir)) {
            Client api = new Client(server.httpPort());
            for (String id : List.of(".", "..")) {
                String quoted = "\"" + id + "\"";
                refused(api.call("POST", "/v1/accounts", ADMIN, "{\"accountId\":" + quoted + ",\"kind\":\"SUBSCRIBER\"}"),
                        "accountId", id);
                refused(api.call("POST", "/v1/transfers", ADMIN, "{\"from\":\"system\",\"to\":" + quoted
                        + ",\"unit\":\"MONEY\",\"amount\":1}"), "to", id);
                refused(api.call("GET", "/v1/records?account=" + id, ADMIN, null), "account", id);
                refused(api.call("POST", "/v1/sims", ADMIN, "{\"simId\":" + quoted
                        + ",\"accountId\":\"system\",\"secret\":\"secret-0123456789abcdef\"}"), "simId", id);
                refused(api.call("POST", "/v1/base-stations", ADMIN, "{\"baseStationId\":" + quoted
                        + ",\"secret\":\"secret-0123456789abcdef\"}"), "baseStationId", id);
                refused(api.call("POST", "/v1/admissions", ADMIN, "{\"admissionId\":" + quoted
                        + ",\"layer\":\"service\",\"parameters\":{\"bandwidthKbps\":64},\"ttlSeconds\":60}"),
                        "admissionId", id);
                refused(api.send(api.builder("/v1/shares").header("Authorization", "Bearer " + ADMIN)
                        .header("Credence-Base-Station-Id", "bs-1").header("Credence-Base-Station-Secret", "x"), "POST",
                        "{\"requestId\":" + quoted + ",\"borrower\":{\"simId\":\"a\",\"token\":\"t\"},"
                                + "\"supplier\":{\"simId\":\"b\",\"token\":\"t\"},\"bytes\":1}"), "requestId", id);
            }
            assertThat(api.call("GET", "/v1/ledger", ADMIN, null).json().path("accounts").asLong())
                    .as("only system exists").isEqualTo(1);

            // an identity is addressed as /v1/identities/{type}/{value}
            assertThat(api.call("POST", "/v1/accounts", ADMIN, "{\"accountId\":\"alice\",\"kind\":\"SUBSCRIBER\"}")
                    .status()).isEqualTo(201);
            for (String value : List.of(".", "..")) {
                refused(api.call("POST", "/v1/accounts/alice/identities", ADMIN, "{\"type\":\"PRIVATE\",\"value\":\""
                        + value + "\"}"), "value", value);
            }
            assertThat(api.call("POST", "/v1/accounts/alice/identities", ADMIN, "{\"type\":\"PRIVATE\",\"value\":\"...\"}")
                    .status()).as("three dots are no dot segment").isEqualTo(201);

            // market entries: offers, Mode B requests and contracts are addressed by id too
            MarketFixture.Party carol = MarketFixture.party(api, "carol", 0);
            MarketFixture.Party dave = MarketFixture.party(api, "dave", 50_000);
            long now = System.currentTimeMillis();
            Offer dotted = new Offer("..", carol.serviceId(), "carol", "sim-carol", now, now + 60_000, 3, 10,
                    ChargingStandard.PER_MB, ResourceType.DATA_BYTES, 10_000_000);
            marketRefused(api.call("POST", "/v1/market/offers", DEVICE, "{\"signedOffer\":\""
                    + MarketFixture.b64(Signed.sign(dotted, "carol", carol.key()).encode()) + "\"}"), "offerId must not be '..'");
            Request need = new Request(".", "dave", BuyerType.PERSONAL, ResourceType.DATA_BYTES, 1_000_000, now,
                    now + 60_000, 1, 100);
            marketRefused(api.call("POST", "/v1/market/requests", DEVICE, "{\"signedRequest\":\""
                    + MarketFixture.b64(Signed.sign(need, "dave", dave.key()).encode()) + "\"}"), "requestId must not be '.'");
            Offer offer = new Offer("o-1", carol.serviceId(), "carol", "sim-carol", now, now + 60_000, 3, 10,
                    ChargingStandard.PER_MB, ResourceType.DATA_BYTES, 10_000_000);
            assertThat(api.call("POST", "/v1/market/offers", DEVICE, "{\"signedOffer\":\""
                    + MarketFixture.b64(Signed.sign(offer, "carol", carol.key()).encode()) + "\"}").status()).isEqualTo(201);
            Contract contract = new Contract("..", offer.hash(), "carol", "dave", BuyerType.PERSONAL, "dave",
                    ResourceType.DATA_BYTES, 1_000_000, now, now + 60_000, 3, ChargingStandard.PER_MB, 10, 10,
                    Payment.MONEY, now);
            Reply refusedContract = api.call("POST", "/v1/market/contracts", DEVICE, "{\"signedContract\":\""
                    + MarketFixture.b64(Signed.sign(contract, "dave", dave.key()).cosign("carol", carol.key()).encode())
                    + "\"}");
            assertThat(refusedContract.status()).as(refusedContract.raw()).isEqualTo(422);
            assertThat(refusedContract.json().path("detail").asText()).contains("contractId must not be '..'");
        }
    }

    private static void refused(Reply reply, String field, String id) {
        assertThat(reply.status()).as(field + "=" + id + ": " + reply.raw()).isEqualTo(400);
        assertThat(reply.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(reply.json().path("field").asText()).as(reply.raw()).isEqualTo(field);
        assertThat(reply.json().path("detail").asText()).as(reply.raw()).contains("must not be '" + id + "'");
    }

    private static void marketRefused(Reply reply, String detail) {
        assertThat(reply.status()).as(reply.raw()).isEqualTo(422);
        assertThat(reply.json().path("detail").asText()).as(reply.raw()).contains(detail);
    }
}
