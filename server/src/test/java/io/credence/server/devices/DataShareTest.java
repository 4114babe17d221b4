package io.credence.server.devices;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Data lent between terminals through a base station, over the real HTTP API and ledger. */
class DataShareTest {
    private static final String BS_SECRET = "base-station-secret-1";
    private static final long MB = 1_000_000;

    @TempDir
    Path dir;
    DeviceWorld world;
    String alice;
    String bob;
    String carol;

    @BeforeEach
    void start() throws Exception {
        world = DeviceWorld.start(dir, DeviceWorld.settings(Duration.ofMinutes(2)));
        provision();
    }

    private void provision() {
        world.subscriber("alice", 10 * MB, 0);
        world.subscriber("bob", 0, 1000);
        world.subscriber("carol", 0, 0);
        world.sim("sim-alice", "alice", "alice-sim-secret-xyz");
        world.sim("sim-bob", "bob", "bob-sim-secret-xyzzy");
        world.sim("sim-carol", "carol", "carol-sim-secret-xyz");
        alice = world.register("sim-alice", "phone-a", "alice-sim-secret-xyz");
        bob = world.register("sim-bob", "phone-b", "bob-sim-secret-xyzzy");
        carol = world.register("sim-carol", "phone-c", "carol-sim-secret-xyz");
        world.baseStation("bs-1", BS_SECRET);
    }

    @AfterEach
    void stop() throws Exception {
        world.close();
    }

    private DeviceWorld.Reply open(String requestId, String borrowerSim, String borrowerToken, String supplierSim,
                                   String supplierToken, long bytes) {
        return open(requestId, borrowerSim, borrowerToken, supplierSim, supplierToken, bytes, BS_SECRET);
    }

    private DeviceWorld.Reply open(String requestId, String borrowerSim, String borrowerToken, String supplierSim,
                                   String supplierToken, long bytes, String bsSecret) {
        return world.station("POST", "/v1/shares", "bs-1", bsSecret, "{\"requestId\":\"" + requestId + "\","
                + "\"borrower\":{\"simId\":\"" + borrowerSim + "\",\"token\":\"" + borrowerToken + "\"},"
                + "\"supplier\":{\"simId\":\"" + supplierSim + "\",\"token\":\"" + supplierToken + "\"},"
                + "\"bytes\":" + bytes + "}");
    }

    private DeviceWorld.Reply usage(String shareId, long total, boolean last) {
        return world.station("POST", "/v1/shares/" + shareId + "/usage", "bs-1", BS_SECRET,
                "{\"totalBytes\":" + total + ",\"final\":" + last + "}");
    }

    @Test
    void aGiftMovesOnlyTheMeteredBytesFromTheSupplierAndRepeatedReportsSettleNothingTwice() {
        DeviceWorld.Reply opened = open("r1", "sim-bob", bob, "sim-alice", alice, 2 * MB);
        assertThat(opened.status()).as(opened.body().toString()).isEqualTo(201);
        String id = opened.body().path("shareId").asText();
        assertThat(world.available("alice", "BYTES")).isEqualTo(8 * MB);
        assertThat(open("r1", "sim-bob", bob, "sim-alice", alice, 2 * MB).status())
                .as("a retried open finds the first share").isEqualTo(200);
        assertThat(world.available("alice", "BYTES")).isEqualTo(8 * MB);

        DeviceWorld.Reply interim = usage(id, 500_000, false);
        assertThat(interim.status()).isEqualTo(200);
        assertThat(interim.body().path("usedBytes").asLong()).isEqualTo(500_000);
        assertThat(interim.body().path("cutOff").asBoolean()).isFalse();
        assertThat(usage(id, 500_000, false).body().path("usedBytes").asLong()).isEqualTo(500_000);
        assertThat(world.total("alice", "BYTES")).isEqualTo(10 * MB - 500_000);
        assertThat(usage(id, 400_000, false).problemType()).as("totals never go down").isEqualTo("invalid-field");

        DeviceWorld.Reply last = usage(id, 800_000, true);
        assertThat(last.body().path("status").asText()).isEqualTo("SETTLED");
        assertThat(last.body().path("usedBytes").asLong()).isEqualTo(800_000);
        assertThat(usage(id, 800_000, true).status()).as("a repeated final report").isEqualTo(200);
        assertThat(usage(id, 900_000, false).problemType()).isEqualTo("share-ended");
        assertThat(world.total("alice", "BYTES")).isEqualTo(10 * MB - 800_000);
        assertThat(world.available("alice", "BYTES")).isEqualTo(10 * MB - 800_000);
        assertThat(world.total("bob", "MONEY")).as("a gift costs nothing").isEqualTo(1000);
    }

    @Test
    void aSalePaysTheSupplierPerMegabyteUsedFromAFeeHeldOnTheBorrower() {
        assertThat(world.device("PUT", "sim-alice", "/share-rules", alice, "{\"priceMinorPerMb\":100}").status())
                .isEqualTo(200);
        String id = open("s1", "sim-bob", bob, "sim-alice", alice, 3 * MB).body().path("shareId").asText();
        assertThat(world.available("bob", "MONEY")).as("fee for 3 MB held").isEqualTo(700);
        assertThat(usage(id, 1_500_000, false).body().path("feePaid").asLong()).isEqualTo(150);
        DeviceWorld.Reply last = usage(id, 1_500_001, true);
        assertThat(last.body().path("feePaid").asLong()).as("rounded up to the minor unit").isEqualTo(151);
        assertThat(world.total("bob", "MONEY")).isEqualTo(1000 - 151);
        assertThat(world.available("bob", "MONEY")).isEqualTo(1000 - 151);
        assertThat(world.total("alice", "MONEY")).isEqualTo(151);
        assertThat(world.total("alice", "BYTES")).isEqualTo(10 * MB - 1_500_001);
    }

    @Test
    void eachRefusalNamesItsReasonAndReservesNothing() {
        assertRefused(open("x1", "sim-bob", bob, "sim-alice", alice, MB, "wrong-secret-000000"), "base-station-identity");
        assertRefused(open("x2", "sim-bob", "0".repeat(64), "sim-alice", alice, MB), "borrower-identity");
        assertRefused(open("x3", "sim-bob", bob, "sim-alice", "0".repeat(64), MB), "supplier-identity");
        assertRefused(open("x4", "sim-alice", alice, "sim-alice", alice, MB), "same-terminal");
        assertRefused(open("x5", "sim-bob", bob, "sim-alice", alice, 20 * MB), "supplier-short");

        assertThat(world.admin("PATCH", "/v1/accounts/bob", "{\"requestId\":\"sus-b\",\"status\":\"SUSPENDED\"}").status())
                .isEqualTo(200);
        assertRefused(open("x6", "sim-bob", bob, "sim-alice", alice, MB), "borrower-user");
        assertThat(world.admin("PATCH", "/v1/accounts/bob", "{\"requestId\":\"act-b\",\"status\":\"ACTIVE\"}").status())
                .isEqualTo(200);
        assertThat(world.admin("PATCH", "/v1/accounts/alice", "{\"requestId\":\"sus-a\",\"status\":\"SUSPENDED\"}").status())
                .isEqualTo(200);
        assertRefused(open("x7", "sim-bob", bob, "sim-alice", alice, MB), "supplier-user");
        assertThat(world.admin("PATCH", "/v1/accounts/alice", "{\"requestId\":\"act-a\",\"status\":\"ACTIVE\"}").status())
                .isEqualTo(200);

        assertThat(world.device("PUT", "sim-alice", "/share-rules", alice,
                "{\"allowedBorrowers\":[\"sim-carol\"],\"maxBytesPerDay\":1500000}").status()).isEqualTo(200);
        assertRefused(open("x8", "sim-bob", bob, "sim-alice", alice, MB), "borrower-not-allowed");
        assertThat(open("x9", "sim-carol", carol, "sim-alice", alice, MB).status()).isEqualTo(201);
        assertRefused(open("x10", "sim-carol", carol, "sim-alice", alice, MB), "daily-limit");

        assertThat(world.device("PUT", "sim-alice", "/share-rules", alice, "{\"priceMinorPerMb\":1000}").status())
                .isEqualTo(200);
        assertRefused(open("x11", "sim-bob", bob, "sim-alice", alice, 2 * MB), "borrower-cannot-pay");

        assertThat(world.available("alice", "BYTES")).as("only the one share carol got holds anything").isEqualTo(9 * MB);
        assertThat(world.available("bob", "MONEY")).isEqualTo(1000);
    }

    private static void assertRefused(DeviceWorld.Reply reply, String reason) {
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(403);
        assertThat(reply.problemType()).isEqualTo("share-refused");
        assertThat(reply.body().path("reason").asText()).isEqualTo(reason);
    }

    @Test
    void theBorrowerRunningUpToTheLimitIsCutOffAndOnlyTheLimitIsSettled() {
        String id = open("l1", "sim-bob", bob, "sim-alice", alice, MB).body().path("shareId").asText();
        assertThat(usage(id, 600_000, false).body().path("cutOff").asBoolean()).isFalse();
        DeviceWorld.Reply full = usage(id, MB, false);
        assertThat(full.body().path("cutOff").asBoolean()).isTrue();
        assertThat(full.body().path("endedBy").asText()).isEqualTo("limit");
        assertThat(full.body().path("remainingBytes").asLong()).isZero();
        DeviceWorld.Reply last = usage(id, MB + 20_000, true);
        assertThat(last.body().path("usedBytes").asLong()).as("served past the limit: only the limit is settled")
                .isEqualTo(MB);
        assertThat(world.total("alice", "BYTES")).isEqualTo(9 * MB);
    }

    @Test
    void eitherUserMayCancelAndTheBaseStationIsToldToCutOff() {
        String id = open("c1", "sim-bob", bob, "sim-alice", alice, 2 * MB).body().path("shareId").asText();
        usage(id, 100_000, false);
        assertThat(world.device("POST", "sim-carol", "/shares/" + id + "/cancel", carol, null).problemType())
                .isEqualTo("not-a-party");
        DeviceWorld.Reply cancelled = world.device("POST", "sim-alice", "/shares/" + id + "/cancel", alice, null);
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.body().path("endedBy").asText()).isEqualTo("supplier");
        DeviceWorld.Reply next = usage(id, 150_000, false);
        assertThat(next.body().path("cutOff").asBoolean()).isTrue();
        assertThat(usage(id, 160_000, true).body().path("status").asText()).isEqualTo("SETTLED");
        assertThat(world.available("alice", "BYTES")).isEqualTo(10 * MB - 160_000);

        String other = open("c2", "sim-bob", bob, "sim-alice", alice, MB).body().path("shareId").asText();
        assertThat(world.device("POST", "sim-bob", "/shares/" + other + "/cancel", bob, null).body().path("endedBy")
                .asText()).isEqualTo("borrower");
    }

    @Test
    void aBaseStationThatDiesBeforeItsFinalReportLeavesTheLastInterimSettledAndTheRestReleased() throws Exception {
        world.close();
        world = DeviceWorld.start(dir.resolve("short"), new io.credence.server.DeviceSettings(
                DeviceWorld.settings(Duration.ofSeconds(1)).quota(), Duration.ofSeconds(1), 1_000));
        provision();
        String id = open("d1", "sim-bob", bob, "sim-alice", alice, 2 * MB).body().path("shareId").asText();
        assertThat(usage(id, 300_000, false).status()).isEqualTo(200);
        // the base station goes silent: when its holds lapse the share ends, EXPIRED
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String status = "";
        while (System.nanoTime() < deadline && !status.equals("EXPIRED")) {
            Thread.sleep(100);
            status = world.station("GET", "/v1/shares/" + id, "bs-1", BS_SECRET, null).body().path("status").asText();
        }
        assertThat(status).isEqualTo("EXPIRED");
        DeviceWorld.Reply share = world.station("GET", "/v1/shares/" + id, "bs-1", BS_SECRET, null);
        assertThat(share.body().path("usedBytes").asLong()).isEqualTo(300_000);
        assertThat(world.total("alice", "BYTES")).isEqualTo(10 * MB - 300_000);
        assertThat(world.available("alice", "BYTES")).isEqualTo(10 * MB - 300_000);
        assertThat(usage(id, 400_000, true).problemType()).as("too late").isEqualTo("share-ended");
    }

    @Test
    void aShareGoesOnAfterARestartWithWhatItSettledAndItsRetriesRecognised() throws Exception {
        assertThat(world.device("PUT", "sim-alice", "/share-rules", alice, "{\"priceMinorPerMb\":100}").status())
                .isEqualTo(200);
        String id = open("k1", "sim-bob", bob, "sim-alice", alice, 3 * MB).body().path("shareId").asText();
        assertThat(usage(id, MB, false).body().path("feePaid").asLong()).isEqualTo(100);
        world.close();
        world = DeviceWorld.start(dir, DeviceWorld.settings(Duration.ofMinutes(2)));
        // the share is engine state: it comes back from the snapshot and journal with its holds
        DeviceWorld.Reply back = world.station("GET", "/v1/shares/" + id, "bs-1", BS_SECRET, null);
        assertThat(back.body().path("status").asText()).isEqualTo("OPEN");
        assertThat(back.body().path("usedBytes").asLong()).isEqualTo(MB);
        assertThat(open("k1", "sim-bob", bob, "sim-alice", alice, 3 * MB).status()).as("a retried open").isEqualTo(200);
        assertThat(usage(id, MB, false).body().path("feePaid").asLong()).as("the same total: nothing new")
                .isEqualTo(100);
        assertThat(usage(id, 2 * MB, true).body().path("feePaid").asLong()).isEqualTo(200);
        assertThat(world.total("alice", "BYTES")).isEqualTo(10 * MB - 2 * MB);
        assertThat(world.total("bob", "MONEY")).isEqualTo(1000 - 200);
        assertThat(world.available("bob", "MONEY")).as("nothing held any more").isEqualTo(1000 - 200);
    }
}
