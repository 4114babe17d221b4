package io.credence.server.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.diameter.cc.CreditControlConfig;
import io.credence.diameter.peer.LocalIdentity;
import io.credence.diameter.transport.TransportConfig;
import io.credence.journal.JournalConfig;
import io.credence.ledger.LedgerLimits;
import io.credence.server.CredenceServer;
import io.credence.server.DiameterSettings;
import io.credence.server.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Over HTTP the terminal attributes are explicit fields; the example catalog decides on them. */
class CatalogQuoteTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    CredenceServer server;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        LocalIdentity ocs = new LocalIdentity("ocs.quote.test", "credence.test", List.of(new byte[] {127, 0, 0, 1}), 0,
                "credence", 1);
        DiameterSettings diameter = new DiameterSettings(TransportConfig.defaults("127.0.0.1", 0), ocs, Set.of(),
                CreditControlConfig.defaults(), CatalogFile.read(CatalogFileTest.EXAMPLE), CatalogFileTest.EXAMPLE);
        server = CredenceServer.start(new ServerConfig(dir.resolve("data"), "127.0.0.1", 0, "EUR", 16, 64,
                JournalConfig.DEFAULTS, LedgerLimits.DEFAULTS, diameter), fatal -> { throw new AssertionError(fatal); });
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private HttpResponse<String> quote(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/v1/catalog/quote"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode ok(String body) throws Exception {
        HttpResponse<String> r = quote(body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void explicitAttributesAreRatedLikeDiameterOnes() throws Exception {
        JsonNode volte = ok("""
                {"service": "voice", "units": 300,
                 "calling": {"network": "LTE", "terminal": "PHONE", "roaming": false}, "called": {"network": "NR"}}""");
        assertThat(volte.path("decision").asText()).isEqualTo("FREE");
        assertThat(volte.path("rule").asText()).isEqualTo("VoLTE to VoLTE is free");
        assertThat(volte.path("price").asLong()).isZero();

        // the terminal type from the IMEI by the catalog's TAC table
        JsonNode stb = ok("""
                {"service": "voice", "calling": {"network": "FIXED", "imei": "8600001234567801"}}""");
        assertThat(stb.path("decision").asText()).isEqualTo("DENIED");
        assertThat(stb.path("calling").path("terminal").asText()).isEqualTo("SET_TOP_BOX");
        assertThat(stb.path("reason").asText()).contains("set-top boxes");

        // a Wednesday noon in Berlin: 60 s as one block of 9, then 1 per second
        JsonNode standard = ok("""
                {"service": "voice", "units": 90, "at": "2026-11-25T11:00:00Z",
                 "calling": {"network": "CS", "userAgent": "Linphone/5.2"}}""");
        assertThat(standard.path("decision").asText()).isEqualTo("CHARGED");
        assertThat(standard.path("tariff").asText()).isEqualTo("voice-standard");
        assertThat(standard.path("calling").path("terminal").asText()).isEqualTo("SOFT_CLIENT");
        assertThat(standard.path("price").asLong()).isEqualTo(9 + 30);
        // the same call in the evening band: 10 s blocks of 1
        JsonNode evening = ok("""
                {"service": "voice", "units": 90, "at": "2026-11-25T20:00:00Z", "calling": {"network": "CS"}}""");
        assertThat(evening.path("band").asText()).isEqualTo("evening");
        assertThat(evening.path("price").asLong()).isEqualTo(9);
    }

    @Test
    void aBadFieldIsNamedAndNothingIsRated() throws Exception {
        HttpResponse<String> badNetwork = quote("{\"service\": \"voice\", \"calling\": {\"network\": \"PIGEON\"}}");
        assertThat(badNetwork.statusCode()).isEqualTo(400);
        assertThat(badNetwork.headers().firstValue("Content-Type").orElse("")).contains("problem+json");
        assertThat(JSON.readTree(badNetwork.body()).toString()).contains("calling.network");
        HttpResponse<String> badImei = quote("{\"service\": \"voice\", \"called\": {\"imei\": \"12ab\"}}");
        assertThat(badImei.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badImei.body()).toString()).contains("called.imei");
        HttpResponse<String> noService = quote("{\"service\": \"fax\"}");
        assertThat(noService.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(noService.body()).toString()).contains("service").contains("fax");
        HttpResponse<String> unknownField = quote("{\"service\": \"voice\", \"colour\": \"red\"}");
        assertThat(unknownField.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(unknownField.body()).toString()).contains("colour");
    }

    @Test
    void theTariffsAndRulesInForceCanBeReadAsTheFileWritesThem() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String base = "http://127.0.0.1:" + server.httpPort() + "/v1/catalog/";
        JsonNode tariffs = JSON.readTree(client.send(HttpRequest.newBuilder(URI.create(base + "tariffs")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        JsonNode voice = tariffs.path("tariffs").path("voice-standard");
        assertThat(voice.path("unit").asText()).isEqualTo("SECONDS");
        assertThat(voice.path("steps").get(0).path("until").asLong()).isEqualTo(60);
        assertThat(voice.path("steps").get(1).has("until")).isFalse(); // open-ended, as in the file
        assertThat(voice.path("bands").path("evening").get(0).path("block").asLong()).isEqualTo(10);
        JsonNode rules = JSON.readTree(client.send(HttpRequest.newBuilder(URI.create(base + "rules")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(rules.path("rules").size()).isEqualTo(7);
        assertThat(rules.path("rules").findValuesAsText("name")).contains("VoLTE to VoLTE is free");
        assertThat(rules.path("outlets").path("trunk-international").path("check").asLong()).isEqualTo(500);
        assertThat(rules.path("outlets").path("trunk-national").asText()).isEqualTo("NO_CHECK");
    }
}
