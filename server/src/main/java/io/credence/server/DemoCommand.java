package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.diameter.cc.CcrBuilder;
import io.credence.diameter.cc.CreditControlConfig;
import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.peer.LocalIdentity;
import io.credence.diameter.transport.DiameterClient;
import io.credence.diameter.transport.TransportConfig;
import io.credence.ledger.Unit;
import io.credence.rating.Catalog;
import io.credence.server.catalog.CatalogFile;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code credence demo}: a short, real story. Starts a server on a temporary data directory and
 * drives it over HTTP exactly as a client would: a subscriber gets money and a data pack,
 * reserves quota, uses part of it, retries a request, and the balances show what happened; then a
 * gateway runs a data session over Diameter against the same ledger until the credit runs out.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Run a scripted charging story on an embedded server.",
        subcommands = MarketDemoCommand.class)
final class DemoCommand implements Callable<Integer> {
    private static final long MB = 1_000_000;
    private static final java.util.Currency EUR = java.util.Currency.getInstance("EUR");
    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("credence-demo-");
        ServerConfig config = ServerConfig.defaults(dir.resolve("data"));
        Path catalogFile = dir.resolve("catalog.json");
        try (var example = DemoCommand.class.getResourceAsStream("/examples/catalog.json")) {
            Files.copy(java.util.Objects.requireNonNull(example, "examples/catalog.json is missing from the jar"),
                    catalogFile);
        }
        Catalog catalog = CatalogFile.read(catalogFile);
        config = new ServerConfig(config.dataDir(), "127.0.0.1", 0, "EUR", config.httpThreadsMax(), config.httpConnectionsMax(),
                config.journal(), config.limits(), new DiameterSettings(TransportConfig.defaults("127.0.0.1", 0), OCS,
                        Set.of(PGW.originHost(), SCSCF.originHost()), CreditControlConfig.defaults()
                        .withRatingGroupQuotas(DiameterSettings.quotasOf(catalog)), catalog, catalogFile));
        // the story is what the demo prints; the server's own log lines would only interrupt it
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        java.util.logging.Level logLevel = root.getLevel();
        root.setLevel(java.util.logging.Level.WARNING);
        try (CredenceServer server = CredenceServer.start(config, fatal -> {
            throw new IllegalStateException("journal failure in demo", fatal);
        })) {
            URI base = URI.create("http://127.0.0.1:" + server.httpPort() + "/");
            out.println("Credence demo: a server on " + base + " with a data directory of its own, deleted at the end");
            ApiClient api = new ApiClient(base);
            story(api);
            diameterStory(api, server.diameterPort());
            imsStory(api, server.diameterPort(), config.dataDir());
        } finally {
            root.setLevel(logLevel);
            deleteTree(dir);
        }
        return 0;
    }

    private void story(ApiClient api) throws IOException, InterruptedException {
        step("Create subscriber 'alice' and the operator's revenue account");
        expect(api.post("v1/accounts", Map.of("requestId", "demo-1", "accountId", "alice", "kind", "SUBSCRIBER")));
        expect(api.post("v1/accounts", Map.of("requestId", "demo-2", "accountId", "operator", "kind", "OPERATOR")));

        step("Top up 20.00 EUR and add a 1 GB data pack for rating group 10, valid 30 days");
        expect(api.post("v1/accounts/alice/topups", Map.of("requestId", "demo-3", "unit", "MONEY", "amount", 2000)));
        String until = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        expect(api.post("v1/accounts/alice/buckets", Map.of("requestId", "demo-4", "unit", "BYTES",
                "amount", 1000 * MB, "validUntil", until, "priority", 10, "ratingGroups", List.of(10))));
        balances(api);

        step("A data session reserves 100 MB on rating group 10 for 60 s");
        JsonNode reserved = expect(api.post("v1/reservations", Map.of("requestId", "demo-5", "accountId", "alice",
                "counterpartyId", "operator", "unit", "BYTES", "amount", 100 * MB, "ratingGroup", 10, "ttlSeconds", 60)));
        long dataReservation = reserved.path("reservationId").asLong();
        balances(api);

        step("The session used 42 MB: commit 42 MB, the other 58 MB return");
        Map<String, Object> commit = Map.of("requestId", "demo-6", "amount", 42 * MB);
        JsonNode committed = expect(api.post("v1/reservations/" + dataReservation + "/commit", commit));
        out.printf("  committed %,d B, released %,d B%n", committed.path("committed").asLong(),
                committed.path("released").asLong());

        step("The gateway retries the same commit (same request id): the first answer comes back, nothing is charged twice");
        JsonNode again = expect(api.post("v1/reservations/" + dataReservation + "/commit", commit));
        out.println("  same answer: " + again.equals(committed));

        step("A call reserves 5.00 EUR, then is cancelled: release");
        JsonNode call = expect(api.post("v1/reservations", Map.of("requestId", "demo-7", "accountId", "alice",
                "counterpartyId", "operator", "unit", "MONEY", "amount", 500, "ttlSeconds", 120)));
        out.println("  reserved " + AccountReport.money(call.path("amount").asLong(), EUR));
        JsonNode released = expect(api.post("v1/reservations/" + call.path("reservationId").asLong() + "/release",
                Map.of("requestId", "demo-8")));
        out.println("  released " + AccountReport.money(released.path("released").asLong(), EUR)
                + ": nothing was charged");

        step("Asking for 50.00 EUR, more than the balance, is refused with a reason, and changes nothing");
        ApiClient.Reply refused = api.post("v1/reservations", Map.of("requestId", "demo-9", "accountId", "alice",
                "counterpartyId", "operator", "unit", "MONEY", "amount", 5000, "ttlSeconds", 60));
        JsonNode why = refused.body();
        out.println("  HTTP " + refused.status() + " " + why.path("title").asText("refused") + ": "
                + AccountReport.amount(why.path("requested").asLong(), why.path("unit").asText(), EUR) + " asked, "
                + AccountReport.amount(why.path("available").asLong(), why.path("unit").asText(), EUR)
                + " available (field " + why.path("field").asText() + ")");

        step("Final balances and alice's transfers");
        balances(api);
        for (JsonNode t : expect(api.get("v1/accounts/alice/transfers")).path("transfers")) {
            out.printf("  #%-3d %-8s %-9s -> %-9s %24s%n", t.path("seq").asLong(), t.path("kind").asText(),
                    t.path("from").asText(), t.path("to").asText(), AccountReport.amount(t.path("amount").asLong(),
                            t.path("unit").asText(), EUR));
        }
    }

    private static final LocalIdentity OCS = new LocalIdentity("ocs.demo.credence", "demo.credence",
            List.of(new byte[] {127, 0, 0, 1}), 0, "credence", 1);
    private static final LocalIdentity PGW = new LocalIdentity("pgw.demo.operator", "demo.operator",
            List.of(new byte[] {127, 0, 0, 1}), 10415, "demo-pgw", 1);

    /** The same ledger as the OCS of a gateway: a Gy data session over Diameter on loopback. */
    private void diameterStory(ApiClient api, int diameterPort) throws Exception {
        step("A gateway connects over Diameter (CER/CEA) and bob, MSISDN 4917012345, has 25 MB of data");
        expect(api.post("v1/accounts", Map.of("requestId", "demo-10", "accountId", "bob", "kind", "SUBSCRIBER")));
        expect(api.post("v1/accounts/bob/topups", Map.of("requestId", "demo-11", "unit", "BYTES", "amount", 25 * MB)));
        expect(api.post("v1/accounts/bob/identities", Map.of("requestId", "demo-12", "type", "E164",
                "value", "4917012345")));
        try (DiameterClient pgw = DiameterClient.connect("127.0.0.1", diameterPort, PGW,
                DiameterClient.Options.defaults(), request -> null)) {
            out.println("  connected to " + pgw.originHost() + " on port " + diameterPort);
            String sid = "pgw.demo.operator;1;1";
            step("CCR-Initial asks 10 MB for rating group 10");
            show(pgw.send(ccr(sid, Codes.INITIAL_REQUEST, 0).msisdn("4917012345")
                    .mscc(10, Unit.BYTES, 10 * MB, null).build(1)).get(10, TimeUnit.SECONDS));
            step("CCR-Update reports 10 MB used and asks 10 MB more");
            show(pgw.send(ccr(sid, Codes.UPDATE_REQUEST, 1).mscc(10, Unit.BYTES, 10 * MB, 10 * MB).build(2))
                    .get(10, TimeUnit.SECONDS));
            step("CCR-Update reports 10 MB more: only 5 MB are left in bob's data (money would pay on at the "
                    + "catalog's tariff; bob has none)");
            DiameterMessage last = ccr(sid, Codes.UPDATE_REQUEST, 2).mscc(10, Unit.BYTES, 10 * MB, 10 * MB).build(3);
            show(pgw.send(last).get(10, TimeUnit.SECONDS));
            step("The gateway did not see that answer and retransmits (T flag): same answer, nothing charged twice");
            show(pgw.send(new DiameterMessage(last.flags() | DiameterMessage.FLAG_RETRANSMITTED, last.commandCode(),
                    last.applicationId(), 0, last.endToEnd(), last.avps())).get(10, TimeUnit.SECONDS));
            step("CCR-Update reports the last 5 MB: nothing is left, 4012 CREDIT_LIMIT_REACHED");
            show(pgw.send(ccr(sid, Codes.UPDATE_REQUEST, 3).mscc(10, Unit.BYTES, 10 * MB, 5 * MB).build(4))
                    .get(10, TimeUnit.SECONDS));
            step("CCR-Terminate ends the session");
            show(pgw.send(ccr(sid, Codes.TERMINATION_REQUEST, 4).build(5)).get(10, TimeUnit.SECONDS));
        }
        JsonNode bob = expect(api.get("v1/accounts/bob"));
        for (JsonNode b : bob.path("balances")) {
            out.printf("  bob has %s left, %s available%n", AccountReport.amount(b.path("total").asLong(),
                    b.path("unit").asText(), EUR), AccountReport.amount(b.path("available").asLong(),
                    b.path("unit").asText(), EUR));
        }
    }

    private static final LocalIdentity SCSCF = new LocalIdentity("scscf.demo.operator", "demo.operator",
            List.of(new byte[] {127, 0, 0, 1}), 10415, "demo-scscf", 1);
    private static final long V = io.credence.diameter.codec.Dictionary.VENDOR_3GPP;

    /**
     * IMS calls over Ro priced by examples/catalog.json: who calls from what decides, and every
     * settled call leaves a usage record.
     */
    private void imsStory(ApiClient api, int diameterPort, Path dataDir) throws Exception {
        step("IMS calls priced by the catalog (examples/catalog.json): carol has no money at all");
        expect(api.post("v1/accounts", Map.of("requestId", "demo-20", "accountId", "carol", "kind", "SUBSCRIBER")));
        expect(api.post("v1/accounts/carol/identities", Map.of("requestId", "demo-21", "type", "E164",
                "value", "4917099999")));
        // her IMSI's home network (262 01) against the cell she calls from tells whether she roams
        expect(api.post("v1/accounts/carol/identities", Map.of("requestId", "demo-22", "type", "IMSI",
                "value", "262011234567890")));
        try (DiameterClient scscf = DiameterClient.connect("127.0.0.1", diameterPort, SCSCF,
                DiameterClient.Options.defaults(), request -> null)) {
            String volte = "scscf.demo.operator;call;1";
            step("carol calls from her VoLTE phone; the callee answers on VoLTE too: the rule 'VoLTE to VoLTE is free'");
            show(scscf.send(imsCcr(volte, Codes.INITIAL_REQUEST, 0, 60L, null, "3500001234567801",
                    "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=262011234ABCDEF0", "3GPP-E-UTRAN-FDD")).get(10, TimeUnit.SECONDS));
            step("The call lasts 75 s in all: metered and recorded at a zero price");
            show(scscf.send(imsCcr(volte, Codes.UPDATE_REQUEST, 1, 60L, 60L, null)).get(10, TimeUnit.SECONDS));
            show(scscf.send(imsCcr(volte, Codes.TERMINATION_REQUEST, 2, null, 15L, null)).get(10, TimeUnit.SECONDS));
            step("Her set-top box (IMEI TAC 86000000: SET_TOP_BOX in the catalog's table) tries a call: denied (4010)");
            show(scscf.send(imsCcr("scscf.demo.operator;call;2", Codes.INITIAL_REQUEST, 0, 60L, null,
                    "8600001234567801", "ADSL; dsl-location=0012")).get(10, TimeUnit.SECONDS));
            step("From her phone to a CS callee she pays the standard tariff, and has nothing: 4012");
            show(scscf.send(imsCcr("scscf.demo.operator;call;3", Codes.INITIAL_REQUEST, 0, 60L, null,
                    "3500001234567801", "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=262011234ABCDEF0", "3GPP-UTRAN-FDD"))
                    .get(10, TimeUnit.SECONDS));
        }
        step("Usage records of carol's calls, as `credence records query --account carol` lists them");
        try (var records = io.credence.records.file.RecordReader.of(dataDir.resolve("records"), skipped -> { })
                .query(new io.credence.records.file.RecordReader.Filter("carol", null, null, null, null, 100))) {
            records.forEach(r -> out.printf("  %s %s rule '%s': %d %s, price %s%n", r.sessionId(), r.decision(),
                    r.rule(), r.rawUnits(), r.unit(), AccountReport.money(r.price(), EUR)));
        }
        out.println("Demo finished.");
    }

    /** A Ro CCR for rating group 100 (voice), with the caller's IMEI and access networks when given. */
    private static DiameterMessage imsCcr(String sid, int type, long number, Long requested, Long used, String imei,
                                          String... panis) {
        CcrBuilder ccr = CcrBuilder.request(sid, SCSCF.originHost(), SCSCF.originRealm(), OCS.originRealm(), type, number)
                .serviceContext(CreditControlConfig.CONTEXT_IMS).msisdn("4917099999").subscription(1, "262011234567890")
                .mscc(100, Unit.SECONDS, requested, used);
        if (imei != null) {
            ccr.avp(Avps.grouped(458, 0, false, List.of(Avps.integer32(459, 0, false, 0),
                    Avps.octets(460, 0, false, imei.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))));
        }
        List<Avp> access = new java.util.ArrayList<>();
        for (String pani : panis) {
            access.add(Avps.octets(1263, V, true, pani.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        if (!access.isEmpty()) {
            ccr.avp(Avps.grouped(873, V, true, List.of(Avps.grouped(876, V, true, access))));
        }
        return ccr.build(number + 100);
    }

    private static CcrBuilder ccr(String sessionId, int type, long number) {
        return CcrBuilder.request(sessionId, PGW.originHost(), PGW.originRealm(), OCS.originRealm(), type, number);
    }

    /** One line per answer: its Result-Code, and per rating group what was granted and whether it is final. */
    private void show(DiameterMessage cca) {
        StringBuilder line = new StringBuilder("  CCA Result-Code " + cca.find(Codes.RESULT_CODE, 0)
                .map(Avp::unsigned32).orElse(0L));
        for (Avp mscc : cca.findAll(Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, 0)) {
            for (Avp m : mscc.grouped()) {
                if (m.code() == Codes.RATING_GROUP) {
                    line.append(" | rg ").append(m.unsigned32());
                } else if (m.code() == Codes.GRANTED_SERVICE_UNIT) {
                    for (Avp u : m.grouped()) {
                        line.append(u.code() == Codes.CC_TIME ? String.format(" granted %,d s", u.unsigned32())
                                : String.format(" granted %,d B", u.unsigned64()));
                    }
                } else if (m.code() == Codes.RESULT_CODE) {
                    line.append(" result ").append(m.unsigned32());
                } else if (m.code() == Codes.FINAL_UNIT_INDICATION) {
                    line.append(" FINAL (terminate when used)");
                }
            }
        }
        out.println(line);
    }

    private void balances(ApiClient api) throws IOException, InterruptedException {
        JsonNode account = expect(api.get("v1/accounts/alice"));
        for (JsonNode b : account.path("buckets")) {
            String what = b.path("main").asBoolean() ? "main " + b.path("unit").asText()
                    : "bucket " + b.path("bucketId").asText() + " " + b.path("unit").asText() + " rg" + b.path("ratingGroups");
            String unit = b.path("unit").asText();
            out.printf("  %-24s amount %22s  reserved %18s  available %22s%n", what,
                    AccountReport.amount(b.path("amount").asLong(), unit, EUR),
                    AccountReport.amount(b.path("reserved").asLong(), unit, EUR),
                    AccountReport.amount(b.path("available").asLong(), unit, EUR));
        }
    }

    private void step(String title) {
        out.println();
        out.println("== " + title);
    }

    private static JsonNode expect(ApiClient.Reply reply) {
        if (!reply.ok()) {
            throw new IllegalStateException("demo step failed: " + reply.problemLine());
        }
        return reply.body();
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
