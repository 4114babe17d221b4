package io.credence.server.nchf;

import io.credence.journal.JournalConfig;
import io.credence.ledger.LedgerLimits;
import io.credence.records.UsageRecord;
import io.credence.records.cdr.CdrFiles;
import io.credence.server.CdrSettings;
import io.credence.server.ChfSettings;
import io.credence.server.CommandLineRunner;
import io.credence.server.ServerConfig;
import io.credence.testkit.ErlangCdrDecoder;
import io.credence.testkit.RequiresTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import static io.credence.server.nchf.NchfTestServer.ROOT;
import static io.credence.server.nchf.NchfTestServer.refOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CHF CDR files of a real server, charged over Nchf: every CDR of every file the run wrote is
 * decoded by Erlang/OTP's ASN.1 decoder (compiled from the TS 32.298 modules the project keeps)
 * and compared, field by field, with the usage record of the same charge; {@code credence records
 * cdr} lists and decodes the same files.
 */
class ChfCdrFilesTest {
    private static final DateTimeFormatter BCD = DateTimeFormatter.ofPattern("yyMMddHHmmss").withZone(ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static String request(String imsi, long sequence, String usage) {
        return """
                {"subscriberIdentifier": "imsi-%s",
                 "nfConsumerIdentification": {"nodeFunctionality": "SMF"},
                 "invocationTimeStamp": "2026-12-07T10:00:00Z", "invocationSequenceNumber": %d,
                 "multipleUnitUsage": [%s]}""".formatted(imsi, sequence, usage);
    }

    private static String report(long rg, String upf, long used) {
        return ("{\"ratingGroup\": %d, \"uPFID\": \"%s\", \"requestedUnit\": {\"totalVolume\": 100000},"
                + " \"usedUnitContainer\": [{\"totalVolume\": %d, \"localSequenceNumber\": 1}]}").formatted(rg, upf, used);
    }

    @Test
    @RequiresTools({"erlc", "escript", "erlc:asn1"})
    void everyCdrTheSuiteWroteDecodesWithErlangAndMatchesItsUsageRecord() throws Exception {
        String upf = "8a7e51cc-8ab4-4a32-9d6b-3c1d7f0b2e11";
        ServerConfig config = new ServerConfig(dir.resolve("data"), "127.0.0.1", 0, "EUR", 16, 64,
                JournalConfig.DEFAULTS, LedgerLimits.DEFAULTS, null).withChf(ChfSettings.NONE.withCdrs(
                new CdrSettings(true, "chf-test", 1 << 20, Duration.ofMinutes(15), 4)));
        NchfTestServer nchf = NchfTestServer.startWith(dir, config);
        String nf = nchf.server().nfInstanceId().toString();
        nchf.subscriber("alice", "262011234567890", "4917012345", 100_000_000);
        nchf.subscriber("bob", "262019999999999", "4917099999", 100_000_000);
        for (String imsi : List.of("262011234567890", "262019999999999")) {
            NchfTestServer.Reply created = nchf.post(ROOT, request(imsi, 0,
                    "{\"ratingGroup\": 10, \"uPFID\": \"" + upf + "\", \"requestedUnit\": {\"totalVolume\": 100000}}"));
            String ref = refOf(created);
            for (int n = 1; n <= 3; n++) {
                NchfTestServer.Reply updated = nchf.post(ROOT + "/" + ref + "/update", request(imsi, n,
                        report(10, upf, 1000L * n + imsi.length())));
                assertThat(updated.status()).as(updated.raw()).isEqualTo(200);
            }
            assertThat(nchf.post(ROOT + "/" + ref + "/release", request(imsi, 4, report(10, upf, 777))).status())
                    .isEqualTo(204);
        }
        List<UsageRecord> usage = nchf.records(); // stops the server: every CDR file is closed
        assertThat(usage).hasSize(8);

        List<Path> files = CdrFiles.list(dir.resolve("data/cdr"));
        assertThat(files).as("4 CDRs a file").hasSize(2);
        ErlangCdrDecoder erlang = ErlangCdrDecoder.compile(ErlangCdrDecoder.projectModules(), dir.resolve("erl"));
        List<String> decoded = erlang.decode(files);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < usage.size(); i++) {
            UsageRecord r = usage.get(i);
            expected.add(String.join("|", "eND-USER-PRIVATE", r.accountId(), "sMF", r.sessionId(),
                    Long.toString(r.ratingGroup()), "-", Long.toString(r.rawUnits()), "-", upf,
                    // BCD digits in hex read as the digits themselves; then "+" (0x2b) and 0000
                    BCD.format(Instant.ofEpochMilli(r.atMillis())) + "2b0000", "0",
                    "partialRecord", Integer.toString(i), r.recordId()));
        }
        assertThat(decoded).containsExactlyElementsOf(expected);

        // the operator's view of the same files
        CommandLineRunner.Run list = CommandLineRunner.run("records", "cdr", "list", "--data",
                dir.resolve("data").toString());
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out().lines()).hasSize(2).allSatisfy(l -> assertThat(l).contains("\"cdrs\":4")
                .contains("\"closure\":").contains("\"release\":\"Rel-16\""));
        CommandLineRunner.Run decode = CommandLineRunner.run("records", "cdr", "decode", files.get(0).toString(),
                files.get(1).toString());
        assertThat(decode.exitCode()).as(decode.err()).isZero();
        assertThat(decode.out().lines()).hasSize(8).allSatisfy(l -> assertThat(l).contains(nf));
        assertThat(decode.out().lines().toList().get(7)).contains("\"recordId\":\"" + usage.get(7).recordId() + "\"");
        CommandLineRunner.Run bad = CommandLineRunner.run("records", "cdr", "decode", dir.resolve("nothing").toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("FILE: no such file");
        assertThat(Files.exists(dir.resolve("data/cdr/LOCK"))).isTrue();
    }
}
