package io.credence.server;

import io.credence.records.UsageRecord;
import io.credence.records.cdr.CdrFiles;
import io.credence.records.cdr.ChfRecords;
import io.credence.records.file.RecordReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CHF CDR files through a SIGKILL: Nchf sessions are charged from four threads, the server is
 * killed mid-way, restarted and stopped. The file that was open is closed as abnormal at the
 * restart; the usage records and the CDRs then hold the same set of charges (each once, by record
 * id, after a replay wrote some again), and every acknowledged report is among them.
 */
class CdrCrashIT {
    @TempDir
    Path dir;

    private static String request(int session, long sequence, String usage) {
        return """
                {"subscriberIdentifier": "imsi-00101000000000%d", "nfConsumerIdentification": {"nodeFunctionality": "SMF"},
                 "invocationTimeStamp": "2026-12-07T10:00:00Z", "invocationSequenceNumber": %d,
                 "pDUSessionChargingInformation": {"chargingId": %d}, "multipleUnitUsage": [%s]}"""
                .formatted(session, sequence, session, usage);
    }

    @Test
    void aKilledServersCdrFilesHoldEveryAcknowledgedChargeOnceAfterTheRestart() throws Exception {
        Path data = dir.resolve("data");
        Path log = dir.resolve("server.log");
        AtomicLong acknowledged = new AtomicLong();
        try (ServerProcess server = ServerProcess.start(data, log, "--cdr-file-max-cdrs", "50")) {
            SecuredServer.Client api = new SecuredServer.Client(server.port);
            for (int s = 0; s < 4; s++) {
                assertThat(api.call("POST", "/v1/accounts", null, "{\"requestId\":\"a" + s + "\",\"accountId\":\"ue" + s
                        + "\",\"kind\":\"SUBSCRIBER\"}").status()).isEqualTo(201);
                assertThat(api.call("POST", "/v1/accounts/ue" + s + "/identities", null, "{\"requestId\":\"i" + s
                        + "\",\"type\":\"IMSI\",\"value\":\"00101000000000" + s + "\"}").status()).isEqualTo(201);
                assertThat(api.call("POST", "/v1/accounts/ue" + s + "/topups", null, "{\"requestId\":\"t" + s
                        + "\",\"unit\":\"BYTES\",\"amount\":1000000000}").status()).isEqualTo(201);
            }
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> smfs = new ArrayList<>();
            for (int s = 0; s < 4; s++) {
                int session = s;
                smfs.add(Thread.ofPlatform().start(() -> {
                    SecuredServer.Reply created = api.call("POST", "/nchf-convergedcharging/v3/chargingdata", null,
                            request(session, 0, "{\"ratingGroup\": 10, \"requestedUnit\": {\"totalVolume\": 100000}}"));
                    String location = created.headers().firstValue("Location").orElseThrow();
                    String ref = location.substring(location.lastIndexOf('/') + 1);
                    for (long n = 1; !stop.get(); n++) {
                        try {
                            SecuredServer.Reply updated = api.call("POST", "/nchf-convergedcharging/v3/chargingdata/"
                                    + ref + "/update", null, request(session, n, "{\"ratingGroup\": 10, \"requestedUnit\":"
                                    + " {\"totalVolume\": 100000}, \"usedUnitContainer\": [{\"totalVolume\": " + (100 + n)
                                    + ", \"localSequenceNumber\": " + n + "}]}"));
                            if (updated.status() == 200) {
                                acknowledged.incrementAndGet();
                            }
                        } catch (RuntimeException killed) {
                            return;
                        }
                    }
                }));
            }
            while (acknowledged.get() < 400) {
                Thread.sleep(20);
            }
            server.kill();
            stop.set(true);
            for (Thread t : smfs) {
                t.join(30_000);
            }
        }
        assertThat(CdrFiles.listOpen(data.resolve("cdr"))).as("left open by the kill").hasSize(1);

        try (ServerProcess again = ServerProcess.start(data, log)) {
            again.stop();
        }
        Set<String> usage = new HashSet<>();
        try (Stream<UsageRecord> records = RecordReader.of(data.resolve("records"), skipped -> { })
                .query(RecordReader.Filter.ALL)) {
            records.filter(r -> r.origin().equals("nchf")).forEach(r -> usage.add(r.recordId()));
        }
        Set<String> cdrs = new HashSet<>();
        long written = 0;
        List<String> closures = new ArrayList<>();
        for (Path file : CdrFiles.list(data.resolve("cdr"))) {
            CdrFiles.Contents contents = CdrFiles.read(file);
            closures.add(contents.header().closure());
            assertThat(contents.tornAt()).isEqualTo(-1);
            for (byte[] cdr : contents.cdrs()) {
                cdrs.add((String) ((Map<?, ?>) ChfRecords.decode(cdr).get("recordExtensions")).get("recordId"));
                written++;
            }
        }
        assertThat(CdrFiles.listOpen(data.resolve("cdr"))).isEmpty();
        assertThat(closures).contains("abnormal", "cdr-count-limit").endsWith("normal");
        assertThat(usage).as("every acknowledged report is charged").hasSizeGreaterThanOrEqualTo((int) acknowledged.get());
        assertThat(cdrs).as("the CDRs hold the charges the usage records hold").isEqualTo(usage);
        assertThat(written).as("a replay may write some again; readers keep one").isGreaterThanOrEqualTo(cdrs.size());
    }
}
