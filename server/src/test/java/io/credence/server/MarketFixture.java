package io.credence.server;

import io.credence.market.contract.Ed25519;

import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** Market parties for the process tests: an account with money, a SIM registered to a device, a market key. */
final class MarketFixture {
    record Party(String token, Ed25519.KeyPair key, String serviceId) {}

    private MarketFixture() {}

    static Party party(SecuredServer.Client api, String name, long money) {
        String admin = SecuredServer.ADMIN;
        assertThat(api.call("POST", "/v1/accounts", admin, "{\"requestId\":\"a-" + name + "\",\"accountId\":\"" + name
                + "\",\"kind\":\"SUBSCRIBER\"}").status()).isEqualTo(201);
        if (money > 0) {
            assertThat(api.call("POST", "/v1/accounts/" + name + "/topups", admin, "{\"requestId\":\"t-" + name
                    + "\",\"unit\":\"MONEY\",\"amount\":" + money + "}").status()).isEqualTo(201);
        }
        assertThat(api.call("POST", "/v1/sims", admin, "{\"simId\":\"sim-" + name + "\",\"accountId\":\"" + name
                + "\",\"secret\":\"" + name + "-sim-secret-0123\"}").status()).isEqualTo(201);
        String token = api.call("POST", "/v1/devices/sim-" + name + "/register", SecuredServer.DEVICE,
                "{\"deviceId\":\"phone-" + name + "\",\"simSecret\":\"" + name + "-sim-secret-0123\"}").json()
                .path("token").asText();
        SecuredServer.Reply registered = api.send(api.builder("/v1/market/providers")
                .header("Authorization", "Bearer " + SecuredServer.DEVICE).header("Credence-Device-Token", token),
                "POST", "{\"simId\":\"sim-" + name + "\"}");
        assertThat(registered.status()).as(registered.raw()).isEqualTo(201);
        return new Party(token, Ed25519.fromSeed(Base64.getDecoder().decode(registered.json().path("seed").asText())),
                registered.json().path("serviceId").asText());
    }

    static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

}
