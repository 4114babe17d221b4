package io.credence.records.cdr;

import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;
import io.credence.testkit.ErlangCdrDecoder;
import io.credence.testkit.RequiresTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * CHF CDR files (TS 32.297 framing, TS 32.298 CHFRecord in BER): what is written, decoded by
 * Erlang/OTP's ASN.1 decoder compiled from the kept modules and by the reader here; closing by
 * size, count and open time; and a file a crash left open, closed as abnormal at the next start
 * with its torn tail cut off.
 */
class CdrFileWriterTest {
    private static final String NF = "5b0c3f3e-2a4e-4d0a-9d1e-1f6f3b9b7c11";

    @TempDir
    Path dir;

    private static final class Clock implements InstantSource {
        volatile long millis = Instant.parse("2026-12-07T23:50:01Z").toEpochMilli();

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    private static UsageRecord record(String id, String origin, long ratingGroup, Unit unit, long used,
                                      Map<String, String> attributes) {
        return new UsageRecord(id, Instant.parse("2026-12-07T23:50:01Z").toEpochMilli(), "alice", origin,
                origin.equals("nchf") ? "nchf;ref-1" : "pgw.example;1;2", "data", ratingGroup, attributes, null, null,
                UsageRecord.CHARGED, unit, used, used, unit == Unit.MONEY ? used : 0, "EUR",
                List.of(new UsageRecord.BalanceChange("alice", unit, -used)), List.of(id));
    }

    private CdrFileWriter.Config config(long maxBytes, Duration age, long maxCdrs) {
        return CdrFileWriter.Config.defaults(dir.resolve("cdr"), NF).withLimits(maxBytes, age, maxCdrs);
    }

    @Test
    @RequiresTools({"erlc", "escript", "erlc:asn1"})
    void everyChfChargeIsOneCdrThatErlangsAsn1DecoderReadsBack() throws Exception {
        List<UsageRecord> records = List.of(
                record("nchf.ref-1.1.rg10", "nchf", 10, Unit.BYTES, 1_500_000,
                        Map.of("upf", "8a7e51cc-8ab4-4a32-9d6b-3c1d7f0b2e11")),
                record("pgw.1.2.rg20", "diameter", 20, Unit.SECONDS, 65, Map.of()),
                record("nchf.ref-1.2.rg30", "nchf", 30, Unit.SERVICE_UNITS, 3, Map.of()),
                record("dev.sim-1.r1", "device", 10, Unit.BYTES, 500, Map.of()), // not a CHF charge: no CDR
                record("pgw.1.3.rg40", "diameter", 40, Unit.MONEY, 25, Map.of()));
        Path file;
        try (CdrFileWriter writer = CdrFileWriter.open(config(1 << 20, Duration.ofMinutes(15), 1000), new Clock())) {
            writer.acceptAll(records);
        }
        List<Path> files = CdrFiles.list(dir.resolve("cdr"));
        assertThat(files).hasSize(1);
        file = files.getFirst();
        assertThat(file.getFileName().toString()).isEqualTo("chf-5b0c3f3e_-_1.20261207_-_2350+0000");
        CdrFiles.Contents contents = CdrFiles.read(file);
        assertThat(contents.header().cdrCount()).isEqualTo(4);
        assertThat(contents.header().fileLength()).isEqualTo(Files.size(file));
        assertThat(contents.header().closure()).isEqualTo("normal");
        assertThat(contents.header().highRelease()).isEqualTo(7);
        assertThat(contents.tornAt()).isEqualTo(-1);

        List<String> decoded = ErlangCdrDecoder.compile(ErlangCdrDecoder.projectModules(), dir.resolve("erl"))
                .decode(file);
        assertThat(decoded).containsExactly(
                "eND-USER-PRIVATE|alice|sMF|nchf;ref-1|10|-|1500000|-|8a7e51cc-8ab4-4a32-9d6b-3c1d7f0b2e11"
                        + "|2612072350012b0000|0|partialRecord|0|nchf.ref-1.1.rg10",
                "eND-USER-PRIVATE|alice|pGWCSMF|pgw.example;1;2|20|65|-|-|-|2612072350012b0000|65|partialRecord|1"
                        + "|pgw.1.2.rg20",
                "eND-USER-PRIVATE|alice|sMF|nchf;ref-1|30|-|-|3|-|2612072350012b0000|0|partialRecord|2|nchf.ref-1.2.rg30",
                "eND-USER-PRIVATE|alice|pGWCSMF|pgw.example;1;2|40|-|-|-|-|2612072350012b0000|0|partialRecord|3"
                        + "|pgw.1.3.rg40");

        // the reader here sees the same
        Map<String, Object> first = ChfRecords.decode(contents.cdrs().getFirst());
        assertThat(first.get("recordingNetworkFunctionID")).isEqualTo(NF);
        assertThat(first.get("recordOpeningTime")).isEqualTo("2026-12-07T23:50:01+00:00");
        assertThat(((Map<?, ?>) ChfRecords.decode(contents.cdrs().getLast()).get("recordExtensions")).get("price"))
                .isEqualTo(25L);
    }

    @Test
    void filesCloseBySizeCountAndOpenTimeAndNumberOn() throws Exception {
        Clock clock = new Clock();
        try (CdrFileWriter writer = CdrFileWriter.open(config(1 << 20, Duration.ofSeconds(60), 3), clock)) {
            for (int i = 0; i < 7; i++) {
                writer.accept(record("r" + i, "nchf", 10, Unit.BYTES, 100, Map.of()));
            }
            // two full files of 3, one open with 1
            assertThat(CdrFiles.list(dir.resolve("cdr"))).hasSize(2);
            clock.millis += 61_000;
            writer.tick();
            assertThat(CdrFiles.list(dir.resolve("cdr"))).hasSize(3);
            writer.tick(); // nothing open: nothing to close
        }
        List<Path> files = CdrFiles.list(dir.resolve("cdr"));
        assertThat(files).extracting(f -> CdrFiles.sequenceOf(f)).containsExactly(1L, 2L, 3L);
        List<String> closures = new ArrayList<>();
        long local = 0;
        for (Path f : files) {
            CdrFiles.Contents c = CdrFiles.read(f);
            closures.add(c.header().closure());
            assertThat(c.header().firstLocalSequence()).isEqualTo(local);
            local += c.cdrs().size();
        }
        assertThat(closures).containsExactly("cdr-count-limit", "cdr-count-limit", "open-time-limit");

        // a restart numbers files and CDRs on from the newest file
        try (CdrFileWriter writer = CdrFileWriter.open(config(1 << 20, Duration.ofSeconds(60), 3), clock)) {
            writer.accept(record("r7", "nchf", 10, Unit.BYTES, 100, Map.of()));
        }
        Path newest = CdrFiles.list(dir.resolve("cdr")).getLast();
        assertThat(CdrFiles.sequenceOf(newest)).isEqualTo(4);
        assertThat(ChfRecords.decode(CdrFiles.read(newest).cdrs().getFirst()).get("localRecordSequenceNumber"))
                .isEqualTo(7L);

        // by size: a file holds what fits under the limit
        Path small = dir.resolve("small");
        try (CdrFileWriter writer = CdrFileWriter.open(CdrFileWriter.Config.defaults(small, NF)
                .withLimits(70_000, Duration.ofMinutes(5), 1_000_000), clock)) {
            List<UsageRecord> many = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                many.add(record("s" + i, "nchf", 10, Unit.BYTES, 100, Map.of()));
            }
            writer.acceptAll(many);
        }
        List<Path> sized = CdrFiles.list(small);
        assertThat(sized.size()).isGreaterThan(1);
        long total = 0;
        for (Path f : sized) {
            assertThat(Files.size(f)).isLessThanOrEqualTo(70_000);
            total += CdrFiles.read(f).cdrs().size();
        }
        assertThat(total).isEqualTo(1000);
        assertThat(CdrFiles.read(sized.getFirst()).header().closure()).isEqualTo("size-limit");
    }

    @Test
    void aFileACrashLeftOpenIsClosedAsAbnormalWithItsTornTailCut() throws Exception {
        Clock clock = new Clock();
        Path crashedDir = dir.resolve("crashed");
        try (CdrFileWriter running = CdrFileWriter.open(config(1 << 20, Duration.ofMinutes(15), 1000), clock)) {
            running.acceptAll(List.of(record("a", "nchf", 10, Unit.BYTES, 100, Map.of()),
                    record("b", "nchf", 10, Unit.BYTES, 200, Map.of())));
            // the directory as a process killed mid-write of a third CDR leaves it: the file still
            // open (its header says nothing yet), half a CDR at the end
            Files.createDirectories(crashedDir);
            try (var files = Files.list(dir.resolve("cdr"))) {
                for (Path f : files.filter(f -> f.toString().endsWith(CdrFiles.OPEN_SUFFIX)).toList()) {
                    Files.copy(f, crashedDir.resolve(f.getFileName()));
                }
            }
        }
        Path open;
        try (var files = Files.list(crashedDir)) {
            open = files.filter(f -> f.toString().endsWith(CdrFiles.OPEN_SUFFIX)).findFirst().orElseThrow();
        }
        assertThat(CdrFiles.read(open).header().fileLength()).as("unknown while open").isEqualTo(0xFFFF_FFFFL);
        Files.write(open, new byte[] {0, 100, (byte) 0xEB, 0x34, 6, 1, 2, 3}, StandardOpenOption.APPEND);

        CdrFileWriter.Config restartedConfig = CdrFileWriter.Config.defaults(crashedDir, NF)
                .withLimits(1 << 20, Duration.ofMinutes(15), 1000);
        try (CdrFileWriter restarted = CdrFileWriter.open(restartedConfig, clock)) {
            restarted.accept(record("c", "nchf", 10, Unit.BYTES, 300, Map.of()));
        }
        List<Path> files = CdrFiles.list(crashedDir);
        assertThat(files).hasSize(2);
        CdrFiles.Contents recovered = CdrFiles.read(files.getFirst());
        assertThat(recovered.header().closure()).isEqualTo("abnormal");
        assertThat(recovered.header().cdrCount()).isEqualTo(2);
        assertThat(recovered.tornAt()).isEqualTo(-1);
        assertThat(recovered.header().fileLength()).isEqualTo(Files.size(files.getFirst()));
        assertThat(ChfRecords.decode(CdrFiles.read(files.getLast()).cdrs().getFirst()).get("localRecordSequenceNumber"))
                .isEqualTo(2L);
        assertThat(files).noneMatch(f -> f.toString().endsWith(CdrFiles.OPEN_SUFFIX));
    }

    @Test
    void oneWriterPerDirectory() throws Exception {
        try (CdrFileWriter first = CdrFileWriter.open(config(1 << 20, Duration.ofMinutes(15), 1000), new Clock())) {
            assertThatThrownBy(() -> CdrFileWriter.open(config(1 << 20, Duration.ofMinutes(15), 1000), new Clock()))
                    .isInstanceOf(CdrFileWriter.InUse.class).hasMessageContaining("already open in this process");
        }
    }
}
