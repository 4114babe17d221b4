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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An operator console uploads a catalog: {@code POST /v1/catalog/check} reads it as a reload would
 * and changes nothing; {@code PUT /v1/catalog} writes it over the catalog file and puts it in force,
 * or, refused, changes neither. A refusal points at the upload's line and column.
 */
class CatalogUploadTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VERSION = "2026-11-24.1";

    @TempDir
    Path dir;
    Path file;
    String text;
    CredenceServer server;
    URI base;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void start() throws Exception {
        file = dir.resolve("catalog.json");
        text = Files.readString(CatalogFileTest.EXAMPLE);
        Files.writeString(file, text);
        LocalIdentity ocs = new LocalIdentity("ocs.upload.test", "credence.test", List.of(new byte[] {127, 0, 0, 1}), 0,
                "credence", 1);
        DiameterSettings diameter = new DiameterSettings(TransportConfig.defaults("127.0.0.1", 0), ocs, Set.of(),
                CreditControlConfig.defaults(), CatalogFile.read(file), file);
        server = CredenceServer.start(new ServerConfig(dir.resolve("data"), "127.0.0.1", 0, "EUR", 16, 64,
                JournalConfig.DEFAULTS, LedgerLimits.DEFAULTS, diameter), fatal -> { throw new AssertionError(fatal); });
        base = URI.create("http://127.0.0.1:" + server.httpPort() + "/v1/");
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void aValidCatalogIsCheckedAndNothingChanges() throws Exception {
        byte[] fileBefore = Files.readAllBytes(file);
        HttpResponse<String> checked = send("POST", "catalog/check", text.replace(VERSION, "2026-12-01.1"));
        assertThat(checked.statusCode()).as(checked.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(checked.body());
        assertThat(body.path("valid").asBoolean()).isTrue();
        assertThat(body.path("version").asText()).isEqualTo("2026-12-01.1");
        // the counts GET /v1/catalog shows
        JsonNode inForce = catalog();
        for (String count : List.of("services", "tariffs", "rules", "timeBands", "outlets", "packages")) {
            assertThat(body.path(count).isInt()).as(count).isTrue();
            assertThat(body.path(count).asInt()).as(count).isEqualTo(inForce.path(count).asInt());
        }
        assertThat(body.path("rules").asInt()).isEqualTo(7);
        assertThat(body.path("currency").asText()).isEqualTo("EUR");
        assertThat(inForce.path("version").asText()).isEqualTo(VERSION);
        assertThat(Files.readAllBytes(file)).isEqualTo(fileBefore);
        assertThat(otherFiles()).isEmpty();
    }

    @Test
    void aSyntaxErrorIsRefusedNamingItsLineAndColumn() throws Exception {
        String line7 = text.lines().skip(6).findFirst().orElseThrow();
        assertThat(line7).contains("\"evening\": { \"from\": \"19:00\"");
        String bad = text.replace("\"evening\": { \"from\": \"19:00\"", "\"evening\": { \"from\" \"19:00\"");
        // Jackson points at the character where the colon should be: the '"' opening "19:00"
        int column = bad.lines().skip(6).findFirst().orElseThrow().indexOf("\"19:00\"") + 1;

        JsonNode problem = refused(send("POST", "catalog/check", bad));
        assertThat(problem.path("line").asInt()).isEqualTo(7);
        assertThat(problem.path("column").asInt()).isEqualTo(column);
        assertThat(problem.path("detail").asText()).startsWith("uploaded catalog, line 7, column " + column + ": ")
                .contains("colon").doesNotContain(file.toString());
        assertThat(catalog().path("version").asText()).isEqualTo(VERSION);
    }

    @Test
    void aSemanticErrorIsRefusedNamingItsLine() throws Exception {
        String bad = text.replace("\"charge\": \"sms\"", "\"charge\": \"smz\"");
        int line = lineOf(bad, "\"charge\": \"smz\"");
        assertThat(line).isGreaterThan(7);

        JsonNode problem = refused(send("POST", "catalog/check", bad));
        assertThat(problem.path("line").asInt()).isEqualTo(line);
        // the rule's "then" object, where the unknown tariff is named
        assertThat(problem.path("column").asInt())
                .isEqualTo(bad.lines().skip(line - 1).findFirst().orElseThrow().indexOf("{ \"charge\": \"smz\"") + 1);
        assertThat(problem.path("detail").asText()).startsWith("uploaded catalog, line " + line + ", column ")
                .contains("no tariff smz");
    }

    @Test
    void aRefusedUploadChangesNeitherTheFileNorTheCatalogInForce() throws Exception {
        byte[] fileBefore = Files.readAllBytes(file);
        JsonNode quoteBefore = quoteSms();
        String syntax = text.replace(VERSION, "2026-12-02.1").replace("\"from\": \"19:00\"", "\"from\" \"19:00\"");
        assertThat(refused(send("PUT", "catalog", syntax)).path("line").asInt()).isEqualTo(7);
        String semantic = text.replace(VERSION, "2026-12-02.1").replace("\"charge\": \"sms\"", "\"charge\": \"smz\"");
        assertThat(refused(send("PUT", "catalog", semantic)).path("line").asInt())
                .isEqualTo(lineOf(semantic, "\"charge\": \"smz\""));

        assertThat(Files.readAllBytes(file)).isEqualTo(fileBefore);
        assertThat(otherFiles()).as("no temporary file left behind").isEmpty();
        assertThat(catalog().path("version").asText()).isEqualTo(VERSION);
        assertThat(quoteSms()).isEqualTo(quoteBefore);
        // and the file still reloads as it was
        HttpResponse<String> reloaded = send("POST", "catalog/reload", "");
        assertThat(reloaded.statusCode()).as(reloaded.body()).isEqualTo(200);
        assertThat(JSON.readTree(reloaded.body()).path("version").asText()).isEqualTo(VERSION);
    }

    @Test
    void aValidUploadIsWrittenOverTheFileAndPutInForce() throws Exception {
        JsonNode before = quoteSms();
        assertThat(before.path("tariff").asText()).isEqualTo("sms");
        assertThat(before.path("price").asLong()).isEqualTo(9);

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        String upload = newCatalog("2026-12-03.1");
        HttpResponse<String> applied = send("PUT", "catalog", upload);
        assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
        JsonNode summary = JSON.readTree(applied.body());
        assertThat(summary.path("version").asText()).isEqualTo("2026-12-03.1");
        assertThat(summary.path("tariffs").asInt()).isEqualTo(5);
        assertThat(summary.path("file").asText()).isEqualTo(file.toString()); // as a reload answers

        assertThat(Files.readString(file)).isEqualTo(upload);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
        assertThat(otherFiles()).as("no temporary file left behind").isEmpty();
        assertThat(catalog().path("version").asText()).isEqualTo("2026-12-03.1");
        JsonNode after = quoteSms();
        assertThat(after.path("tariff").asText()).isEqualTo("sms-premium");
        assertThat(after.path("price").asLong()).isEqualTo(15);
        assertThat(after.path("catalogVersion").asText()).isEqualTo("2026-12-03.1");

        // the same upload again is taken again, to the same effect
        HttpResponse<String> again = send("PUT", "catalog", upload);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(JSON.readTree(again.body()).path("version").asText()).isEqualTo("2026-12-03.1");
        assertThat(Files.readString(file)).isEqualTo(upload);
        // the file is what is in force: a reload reads the upload back
        HttpResponse<String> reloaded = send("POST", "catalog/reload", "");
        assertThat(reloaded.statusCode()).as(reloaded.body()).isEqualTo(200);
        assertThat(JSON.readTree(reloaded.body()).path("version").asText()).isEqualTo("2026-12-03.1");
        assertThat(quoteSms().path("tariff").asText()).isEqualTo("sms-premium");
    }

    @Test
    void anUploadReplacesTheFileALinkNamesAndKeepsTheLink() throws Exception {
        Path real = Files.createDirectory(dir.resolve("deployed")).resolve("catalog-v1.json");
        Files.move(file, real);
        Files.createSymbolicLink(file, real);
        String upload = newCatalog("2026-12-05.1");
        HttpResponse<String> applied = send("PUT", "catalog", upload);
        assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
        assertThat(Files.isSymbolicLink(file)).isTrue();
        assertThat(Files.readString(real)).isEqualTo(upload);
        try (Stream<Path> beside = Files.list(real.getParent())) {
            assertThat(beside.toList()).containsExactly(real);
        }
        assertThat(catalog().path("version").asText()).isEqualTo("2026-12-05.1");
    }

    @Test
    void aCatalogLargerThanTheApiBodyLimitIsTakenUpToTheEnginesBound() throws Exception {
        // 200 KiB: over the API's 64 KiB, within the engine's bound on a catalog (768 KiB)
        String padded = newCatalog("2026-12-04.1").replace("\n", "\n" + " ".repeat(1600));
        assertThat(padded.length()).isBetween(150_000, (int) CatalogFile.BYTES_MAX);
        HttpResponse<String> checked = send("POST", "catalog/check", padded);
        assertThat(checked.statusCode()).as(checked.body()).isEqualTo(200);
        HttpResponse<String> applied = send("PUT", "catalog", padded);
        assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
        assertThat(Files.readString(file)).isEqualTo(padded);

        // one byte over the bound: 413 before it is read, for both routes; nothing changes
        String over = padded + " ".repeat((int) CatalogFile.BYTES_MAX + 1 - padded.length());
        for (String[] route : new String[][] {{"POST", "catalog/check"}, {"PUT", "catalog"}}) {
            // declared with Expect: 100-continue, declared and sent at once (as a browser does), and
            // chunked (no length declared): the client reads the 413 in each case
            for (HttpRequest request : List.of(
                    HttpRequest.newBuilder(base.resolve(route[1])).header("Content-Type", "application/json").expectContinue(true)
                            .method(route[0], HttpRequest.BodyPublishers.ofString(over)).build(),
                    HttpRequest.newBuilder(base.resolve(route[1])).header("Content-Type", "application/json")
                            .method(route[0], HttpRequest.BodyPublishers.ofString(over)).build(),
                    HttpRequest.newBuilder(base.resolve(route[1])).header("Content-Type", "application/json")
                            .method(route[0], HttpRequest.BodyPublishers.ofInputStream(
                                    () -> new java.io.ByteArrayInputStream(over.getBytes(StandardCharsets.UTF_8))))
                            .build())) {
                HttpResponse<String> tooLarge = http.send(request, HttpResponse.BodyHandlers.ofString());
                assertThat(tooLarge.statusCode()).as(request + " " + tooLarge.body()).isEqualTo(413);
                assertThat(JSON.readTree(tooLarge.body()).path("type").asText())
                        .isEqualTo("urn:credence:problem:too-large");
            }
        }
        assertThat(Files.readString(file)).isEqualTo(padded);
        assertThat(catalog().path("version").asText()).isEqualTo("2026-12-04.1");
    }

    @Test
    void uploadsAndReloadsTakeTurns() throws Exception {
        // Each upload and reload holds the holder's lock from the file to the catalog in force, so
        // when they are done the file, and nothing else, is in force.
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                String version = "2026-12-10." + i;
                boolean reload = i % 3 == 0;
                calls.add(pool.submit(() -> reload ? send("POST", "catalog/reload", "").statusCode()
                        : send("PUT", "catalog", newCatalog(version)).statusCode()));
            }
            for (Future<Integer> call : calls) {
                assertThat(call.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        String inFile = JSON.readTree(Files.readString(file)).path("version").asText();
        assertThat(inFile).startsWith("2026-12-10.");
        assertThat(catalog().path("version").asText()).isEqualTo(inFile);
        assertThat(quoteSms().path("catalogVersion").asText()).isEqualTo(inFile);
        assertThat(otherFiles()).isEmpty();
    }

    /** The example with a new tariff for SMS (15 a message) that the sms rule charges. */
    private String newCatalog(String version) {
        String upload = text.replace(VERSION, version)
                .replace("\"sms\": {\n      \"unit\": \"SERVICE_UNITS\"",
                        "\"sms-premium\": {\n      \"unit\": \"SERVICE_UNITS\", \"rounding\": \"UP\",\n"
                                + "      \"steps\": [ { \"block\": 1, \"price\": 15 } ]\n    },\n"
                                + "    \"sms\": {\n      \"unit\": \"SERVICE_UNITS\"")
                .replace("\"then\": { \"charge\": \"sms\" }", "\"then\": { \"charge\": \"sms-premium\" }");
        assertThat(upload).contains("sms-premium\": {").contains("\"charge\": \"sms-premium\"");
        return upload;
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode catalog() throws Exception {
        HttpResponse<String> reply = http.send(HttpRequest.newBuilder(base.resolve("catalog")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(reply.statusCode()).isEqualTo(200);
        return JSON.readTree(reply.body());
    }

    private JsonNode quoteSms() throws Exception {
        HttpResponse<String> reply = send("POST", "catalog/quote", "{\"service\": \"sms\", \"units\": 1}");
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        return JSON.readTree(reply.body());
    }

    private static JsonNode refused(HttpResponse<String> reply) throws Exception {
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(422);
        assertThat(reply.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode problem = JSON.readTree(reply.body());
        assertThat(problem.path("type").asText()).isEqualTo("urn:credence:problem:catalog-refused");
        assertThat(problem.path("field").asText()).isEqualTo("catalog");
        assertThat(problem.path("status").asInt()).isEqualTo(422);
        return problem;
    }

    /** Line (from 1) of the first occurrence of {@code needle}. */
    private static int lineOf(String text, String needle) {
        return text.substring(0, text.indexOf(needle)).split("\n", -1).length;
    }

    /** What lies beside the catalog file but the file, the server's data directory and a link's target's. */
    private List<Path> otherFiles() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> !p.equals(file) && !p.equals(dir.resolve("data"))
                    && !p.equals(dir.resolve("deployed"))).toList();
        }
    }
}
