package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a real {@code credence serve} process with SIGKILL while concurrent clients drive it,
 * restarts it on the same data directory, and checks the promise: every acknowledged operation
 * is there exactly once, nothing unacknowledged is half there, and a retry gets the first answer.
 */
class CrashRecoveryIT {
    private static final int WORKERS = 8;
    private static final long RESERVE = 300;

    @TempDir
    Path dir;

    /** What the clients sent and which answers they saw; shared by all cycles of one test. */
    static final class Book {
        final Map<String, String[]> sent = new ConcurrentHashMap<>(); // requestId -> {path, body}
        final Map<String, String> answered = new ConcurrentHashMap<>(); // requestId -> raw first answer
        final Map<String, Long> amounts = new ConcurrentHashMap<>(); // top-up / commit request -> amount
        final Map<String, Long> reservationOf = new ConcurrentHashMap<>(); // reserve request -> reservation id
        final Map<String, String> commitOf = new ConcurrentHashMap<>(); // reserve request -> commit request
        final int[] nextIteration = new int[WORKERS];
    }

    @Test
    void acknowledgedOperationsSurviveRepeatedKillsExactlyOnce() throws Exception {
        Path data = dir.resolve("data");
        Path log = dir.resolve("server.log");
        Book book = new Book();
        Random random = new Random(42);
        try (ServerProcess first = ServerProcess.start(data, log, "--snapshot-every", "3000")) {
            createAccounts(new Http(first.port), book);
        }
        for (int cycle = 0; cycle < 3; cycle++) {
            ServerProcess server = ServerProcess.start(data, log, "--snapshot-every", "3000");
            Http http = new Http(server.port);
            verify(http, book);
            retryEverythingUnanswered(http, book);
            verify(http, book);
            runLoadThenKill(server, http, book, 1200 + random.nextInt(1500));
        }
        try (ServerProcess last = ServerProcess.start(data, log)) {
            Http http = new Http(last.port);
            verify(http, book);
            assertRetriesGetTheFirstAnswer(http, book);
            retryEverythingUnanswered(http, book);
            verify(http, book);
            last.stop();
            assertThat(last.stdout).as("SIGTERM says what it did").anySatisfy(line -> assertThat(line)
                    .matches("credence: snapshot at record \\d+ written; stopped"));
        }
        try (ServerProcess afterCleanStop = ServerProcess.start(data, log)) {
            assertThat(afterCleanStop.stdout.get(0)).contains("+ 0 replayed");
            verify(new Http(afterCleanStop.port), book);
        }
        assertThat(book.answered.size()).as("operations acknowledged over all cycles").isGreaterThan(200);
    }

    @Test
    void aJournalCutInTheMiddleOfARecordRestartsCleanly() throws Exception {
        Path data = dir.resolve("data");
        Path log = dir.resolve("server.log");
        Book book = new Book();
        try (ServerProcess server = ServerProcess.start(data, log, "--snapshot-every", "0")) {
            Http http = new Http(server.port);
            createAccounts(http, book);
            runLoadThenKill(server, http, book, 800);
        }
        Path newest;
        try (Stream<Path> files = Files.list(data)) {
            newest = files.filter(p -> p.getFileName().toString().startsWith("journal-")).sorted()
                    .reduce((a, b) -> b).orElseThrow();
        }
        long size = Files.size(newest);
        try (FileChannel channel = FileChannel.open(newest, StandardOpenOption.WRITE)) {
            channel.truncate(size - 7); // the last record is longer than 7 bytes, so this cuts inside it
        }
        try (ServerProcess server = ServerProcess.start(data, log)) {
            assertThat(server.stdout.get(0)).contains("cut a torn tail");
            Http http = new Http(server.port);
            // The cut record was acknowledged, so it is the one loss this test inflicts on purpose:
            // forget what the clients were told about the last few operations and check the rest.
            Consistency seen = verifyConsistency(http, book);
            assertThat(seen.requestIds()).isNotEmpty();
            Set<String> lostReservations = forgetWhatTheCutTookAway(http, book, seen);
            retryAfterTheCut(http, book, lostReservations);
            verify(http, book);
        }
    }

    // ---------------------------------------------------------------- workload

    private static void createAccounts(Http http, Book book) {
        http.post("v1/accounts", "{\"requestId\":\"op\",\"accountId\":\"operator\",\"kind\":\"OPERATOR\"}");
        for (int w = 0; w < WORKERS; w++) {
            Http.Reply reply = http.post("v1/accounts",
                    "{\"requestId\":\"acct-" + w + "\",\"accountId\":\"sub-" + w + "\",\"kind\":\"SUBSCRIBER\"}");
            assertThat(reply.status()).isEqualTo(201);
        }
    }

    private static void runLoadThenKill(ServerProcess server, Http http, Book book, long killAfterMillis)
            throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            int worker = w;
            workers.add(Thread.ofPlatform().start(() -> work(http, book, worker, stop)));
        }
        Thread.sleep(killAfterMillis);
        server.kill();
        stop.set(true);
        for (Thread t : workers) {
            t.join();
        }
    }

    /** One subscriber's story, over and over: top up, reserve, commit part. Stops at the first unanswered request. */
    private static void work(Http http, Book book, int w, AtomicBoolean stop) {
        while (!stop.get()) {
            int i = book.nextIteration[w]++;
            String prefix = "w" + w + "-" + i;
            long topUp = 1000 + i;
            book.amounts.put(prefix + "-t", topUp);
            if (send(http, book, prefix + "-t", "v1/accounts/sub-" + w + "/topups",
                    "{\"requestId\":\"" + prefix + "-t\",\"unit\":\"MONEY\",\"amount\":" + topUp + "}") == null) {
                return;
            }
            JsonNode reserved = send(http, book, prefix + "-r", "v1/reservations", "{\"requestId\":\"" + prefix
                    + "-r\",\"accountId\":\"sub-" + w + "\",\"counterpartyId\":\"operator\",\"unit\":\"MONEY\",\"amount\":"
                    + RESERVE + ",\"ttlSeconds\":3600}");
            if (reserved == null) {
                return;
            }
            long reservationId = reserved.path("reservationId").asLong();
            book.reservationOf.put(prefix + "-r", reservationId);
            long used = 100 + i % 50;
            book.amounts.put(prefix + "-c", used);
            book.commitOf.put(prefix + "-r", prefix + "-c");
            if (send(http, book, prefix + "-c", "v1/reservations/" + reservationId + "/commit",
                    "{\"requestId\":\"" + prefix + "-c\",\"amount\":" + used + "}") == null) {
                return;
            }
        }
    }

    /** The parsed answer, or null when the server died before answering. */
    private static JsonNode send(Http http, Book book, String requestId, String path, String body) {
        book.sent.put(requestId, new String[] {path, body});
        try {
            Http.Reply reply = http.post(path, body);
            assertThat(reply.status()).as(reply.raw()).isBetween(200, 299);
            book.answered.put(requestId, reply.raw());
            return reply.body();
        } catch (UncheckedIOException died) {
            return null;
        }
    }

    private static void retryEverythingUnanswered(Http http, Book book) {
        long unanswered = book.sent.keySet().stream().filter(id -> !book.answered.containsKey(id)).count();
        System.out.printf("crash test: %d requests acknowledged, %d in flight at the kill now retried%n",
                book.answered.size(), unanswered);
        for (Map.Entry<String, String[]> e : new HashMap<>(book.sent).entrySet()) {
            if (!book.answered.containsKey(e.getKey())) {
                Http.Reply reply = http.post(e.getValue()[0], e.getValue()[1]);
                assertThat(reply.status()).as(e.getKey() + " " + reply.raw()).isBetween(200, 299);
                book.answered.put(e.getKey(), reply.raw());
                if (e.getKey().endsWith("-r")) {
                    book.reservationOf.put(e.getKey(), reply.body().path("reservationId").asLong());
                }
            }
        }
    }

    /**
     * The cut record may hold a whole batch of acknowledged operations. Forgets their answers, so the
     * clients retry them, and returns the reserve requests whose reservation went with the cut.
     */
    private static Set<String> forgetWhatTheCutTookAway(Http http, Book book, Consistency seen) {
        Set<String> lost = new HashSet<>();
        for (String requestId : new ArrayList<>(book.answered.keySet())) {
            if (requestId.endsWith("-t") || requestId.endsWith("-c")) {
                if (!seen.requestIds().contains(requestId)) {
                    book.answered.remove(requestId);
                }
            } else if (requestId.endsWith("-r")) {
                long id = book.reservationOf.get(requestId);
                if (http.get("v1/reservations/" + id).status() == 404) {
                    book.answered.remove(requestId);
                    book.reservationOf.remove(requestId);
                    lost.add(requestId);
                }
            }
        }
        return lost;
    }

    /**
     * Retries as a client would: a commit naming a reservation the cut took away is answered
     * "unknown reservation" precisely (and changes nothing); everything else is applied once.
     */
    private static void retryAfterTheCut(Http http, Book book, Set<String> lostReservations) {
        Set<String> orphanCommits = new HashSet<>();
        for (String reserve : lostReservations) {
            String commit = book.commitOf.get(reserve);
            if (commit != null && book.sent.containsKey(commit)) {
                orphanCommits.add(commit);
            }
        }
        for (String commit : orphanCommits) {
            String[] request = book.sent.remove(commit);
            Http.Reply reply = http.post(request[0], request[1]);
            assertThat(reply.status()).as(commit + " " + reply.raw()).isEqualTo(404);
            assertThat(reply.body().path("field").asText()).isEqualTo("reservationId");
            book.amounts.remove(commit);
            book.commitOf.values().remove(commit);
        }
        retryEverythingUnanswered(http, book);
    }

    private static void assertRetriesGetTheFirstAnswer(Http http, Book book) {
        int checked = 0;
        for (Map.Entry<String, String> e : book.answered.entrySet()) {
            if (checked++ > 300) {
                break;
            }
            String[] request = book.sent.get(e.getKey());
            assertThat(http.post(request[0], request[1]).raw()).as("retry of " + e.getKey()).isEqualTo(e.getValue());
        }
    }

    // ---------------------------------------------------------------- checks

    record Consistency(Set<String> requestIds) {}

    /** Everything acknowledged is present, exactly once, and nothing is half-applied. */
    private static void verify(Http http, Book book) {
        Consistency seen = verifyConsistency(http, book);
        for (String requestId : book.answered.keySet()) {
            if (requestId.endsWith("-t") || requestId.endsWith("-c")) {
                assertThat(seen.requestIds()).as("acknowledged " + requestId + " is present").contains(requestId);
            }
        }
        for (Map.Entry<String, Long> reserve : book.reservationOf.entrySet()) {
            if (!book.answered.containsKey(reserve.getKey())) {
                continue;
            }
            String commit = book.commitOf.get(reserve.getKey());
            boolean committed = commit != null && seen.requestIds().contains(commit);
            String status = http.get("v1/reservations/" + reserve.getValue()).body().path("status").asText();
            assertThat(status).as("reservation of " + reserve.getKey()).isEqualTo(committed ? "COMMITTED" : "OPEN");
        }
    }

    /** Per account: no duplicates, nothing invented, and balances equal the transfers that are there. */
    private static Consistency verifyConsistency(Http http, Book book) {
        Set<String> all = new HashSet<>();
        for (int w = 0; w < WORKERS; w++) {
            List<JsonNode> transfers = allTransfers(http, "sub-" + w);
            long expectedTotal = 0;
            for (JsonNode t : transfers) {
                String requestId = t.path("requestId").asText();
                assertThat(all.add(requestId)).as("transfer of " + requestId + " appears once").isTrue();
                assertThat(book.sent).as("transfer " + requestId + " was sent by a client").containsKey(requestId);
                long amount = t.path("amount").asLong();
                assertThat(amount).isEqualTo(book.amounts.get(requestId));
                expectedTotal += t.path("kind").asText().equals("TOP_UP") ? amount : -amount;
            }
            JsonNode money = http.get("v1/accounts/sub-" + w).body().path("balances").get(0);
            if (transfers.isEmpty()) {
                continue;
            }
            assertThat(money.path("total").asLong()).as("sub-" + w + " total").isEqualTo(expectedTotal);
            long reserved = money.path("reserved").asLong();
            assertThat(reserved % RESERVE).as("whole reservations only").isZero();
        }
        return new Consistency(all);
    }

    private static List<JsonNode> allTransfers(Http http, String accountId) {
        List<JsonNode> out = new ArrayList<>();
        String query = "";
        while (true) {
            JsonNode page = http.get("v1/accounts/" + accountId + "/transfers?limit=1000" + query).body();
            page.path("transfers").forEach(out::add);
            if (page.path("nextBefore").isNull() || page.path("nextBefore").isMissingNode()) {
                return out;
            }
            query = "&before=" + page.path("nextBefore").asLong();
        }
    }
}
