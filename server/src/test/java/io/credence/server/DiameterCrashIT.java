package io.credence.server;

import io.credence.diameter.cc.CcrBuilder;
import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.peer.LocalIdentity;
import io.credence.diameter.transport.DiameterClient;
import io.credence.ledger.Unit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Credit control through a SIGKILL: gateways run data sessions against a real {@code credence
 * serve}; the process is killed mid-load and restarted on the same data directory; every request
 * that got no answer is retransmitted (T flag) and every session is carried on to its end. Then
 * each subscriber has been charged exactly the usage its gateway reported, no reservation is left
 * open, and a retransmission of an answered request gets the same answer as the first time.
 */
class DiameterCrashIT {
    private static final LocalIdentity PGW = new LocalIdentity("pgw.crash.test", "operator.test",
            List.of(new byte[] {127, 0, 0, 1}), 10415, "crash-pgw", 1);
    private static final int SUBSCRIBERS = 6;
    private static final long BALANCE = 1_000_000_000L;
    private static final long QUOTA = 50_000;

    @TempDir
    Path dir;

    /** One gateway session, remembered so it can be carried on after the crash. */
    private static final class Session {
        final String id;
        final String msisdn;
        long nextNumber;
        long granted;
        DiameterMessage unanswered;
        DiameterMessage lastRequest;
        DiameterMessage lastAnswer;
        boolean ended;

        Session(String id, String msisdn) {
            this.id = id;
            this.msisdn = msisdn;
        }
    }

    private final Map<String, AtomicLong> reportedUse = new ConcurrentHashMap<>();
    private final AtomicLong endToEnd = new AtomicLong(1);

    @Test
    void sessionsCarryOnAfterAKillAndEveryReportedByteIsChargedOnce() throws Exception {
        Path data = dir.resolve("data");
        Path log = dir.resolve("server.log");
        List<Session> sessions = new ArrayList<>();
        try (ServerProcess first = ServerProcess.start(data, log, "--diameter-peer", PGW.originHost(),
                "--snapshot-every", "2000")) {
            provision(new Http(first.port));
            DiameterClient pgw = connect(first);
            runUntilKilled(first, pgw, sessions);
            pgw.close();
        }
        assertThat(sessions).as("the kill caught requests in flight").anyMatch(s -> s.unanswered != null);
        assertThat(sessions).as("sessions had finished before the kill").anyMatch(s -> s.ended);
        try (ServerProcess second = ServerProcess.start(data, log, "--diameter-peer", PGW.originHost())) {
            DiameterClient pgw = connect(second);
            for (Session s : sessions) {
                if (s.unanswered != null) {
                    DiameterMessage retx = retransmission(s.unanswered);
                    DiameterMessage answer = pgw.send(retx).get(10, TimeUnit.SECONDS);
                    assertThat(resultCode(answer)).as("retransmitted %s", s.id).isEqualTo(Codes.DIAMETER_SUCCESS);
                    accept(s, s.unanswered, answer);
                } else if (s.lastRequest != null) {
                    // answered before the kill: the same request again gets the same answer, and charges nothing
                    DiameterMessage again = pgw.send(retransmission(s.lastRequest)).get(10, TimeUnit.SECONDS);
                    assertThat(again.avps()).as("answer to a retransmission of %s after the restart", s.id)
                            .isEqualTo(s.lastAnswer.avps());
                }
            }
            for (Session s : sessions) {
                while (!s.ended) {
                    step(pgw, s);
                }
            }
            Http http = new Http(second.port);
            for (int i = 0; i < SUBSCRIBERS; i++) {
                String msisdn = msisdn(i);
                long used = reportedUse.getOrDefault(msisdn, new AtomicLong()).get();
                var account = http.get("v1/accounts/crash-" + i).body();
                long available = 0;
                for (var balance : account.path("balances")) {
                    if (balance.path("unit").asText().equals("BYTES")) {
                        available = balance.path("available").asLong();
                    }
                }
                assertThat(available).as("subscriber %s reported %d bytes", msisdn, used).isEqualTo(BALANCE - used);
            }
            assertThat(http.get("v1/ledger").body().path("openReservations").asLong()).isZero();
            pgw.close();
        }
    }

    private void provision(Http http) {
        for (int i = 0; i < SUBSCRIBERS; i++) {
            String account = "crash-" + i;
            assertThat(http.post("v1/accounts", "{\"requestId\":\"c-" + i + "\",\"accountId\":\"" + account
                    + "\",\"kind\":\"SUBSCRIBER\"}").status()).isEqualTo(201);
            assertThat(http.post("v1/accounts/" + account + "/topups", "{\"requestId\":\"t-" + i
                    + "\",\"unit\":\"BYTES\",\"amount\":" + BALANCE + "}").status()).isEqualTo(201);
            assertThat(http.post("v1/accounts/" + account + "/identities", "{\"requestId\":\"i-" + i
                    + "\",\"type\":\"E164\",\"value\":\"" + msisdn(i) + "\"}").status()).isEqualTo(201);
        }
    }

    private static String msisdn(int i) {
        return "4915100000" + i;
    }

    private static DiameterClient connect(ServerProcess server) throws Exception {
        return DiameterClient.connect("127.0.0.1", server.diameterPort, PGW, DiameterClient.Options.defaults()
                .withRequestTimeout(java.time.Duration.ofSeconds(5)), request -> null);
    }

    /** Gateways run sessions on their own threads until the server is killed under them. */
    private void runUntilKilled(ServerProcess server, DiameterClient pgw, List<Session> sessions) throws Exception {
        AtomicBoolean killed = new AtomicBoolean();
        int gateways = 8;
        ExecutorService pool = Executors.newFixedThreadPool(gateways);
        List<Future<List<Session>>> running = new ArrayList<>();
        for (int g = 0; g < gateways; g++) {
            int gateway = g;
            running.add(pool.submit(() -> {
                List<Session> mine = new ArrayList<>();
                int n = 0;
                while (!killed.get()) {
                    Session s = new Session("pgw.crash.test;" + gateway + ";" + n, msisdn((gateway + n) % SUBSCRIBERS));
                    n++;
                    mine.add(s);
                    while (!s.ended && s.unanswered == null) {
                        try {
                            step(pgw, s);
                        } catch (Exception lost) {
                            break; // the server died with this request in flight: s.unanswered holds it
                        }
                    }
                    if (s.unanswered != null) {
                        break;
                    }
                }
                return mine;
            }));
        }
        Thread.sleep(2_500);
        killed.set(true);
        server.kill();
        for (Future<List<Session>> f : running) {
            sessions.addAll(f.get(30, TimeUnit.SECONDS));
        }
        pool.shutdown();
    }

    /** The session's next request: I, then updates using all of each grant, a T after five updates. */
    private void step(DiameterClient pgw, Session s) throws Exception {
        CcrBuilder ccr;
        long number = s.nextNumber;
        if (number == 0) {
            ccr = CcrBuilder.request(s.id, PGW.originHost(), PGW.originRealm(), "credence.local", Codes.INITIAL_REQUEST, 0)
                    .msisdn(s.msisdn).mscc(10, Unit.BYTES, QUOTA, null);
        } else if (number < 6) {
            ccr = CcrBuilder.request(s.id, PGW.originHost(), PGW.originRealm(), "credence.local", Codes.UPDATE_REQUEST,
                    number).mscc(10, Unit.BYTES, QUOTA, s.granted);
        } else {
            ccr = CcrBuilder.request(s.id, PGW.originHost(), PGW.originRealm(), "credence.local",
                    Codes.TERMINATION_REQUEST, number).mscc(10, Unit.BYTES, null, s.granted / 2);
        }
        DiameterMessage request = ccr.build(endToEnd.getAndIncrement());
        s.unanswered = request;
        DiameterMessage answer = pgw.send(request).get(10, TimeUnit.SECONDS);
        assertThat(resultCode(answer)).as("%s request %d", s.id, number).isEqualTo(Codes.DIAMETER_SUCCESS);
        accept(s, request, answer);
    }

    /** Books what an answered request reported as used, and moves the session on. */
    private void accept(Session s, DiameterMessage request, DiameterMessage answer) {
        long used = usedIn(request);
        reportedUse.computeIfAbsent(s.msisdn, k -> new AtomicLong()).addAndGet(used);
        s.lastRequest = request;
        s.lastAnswer = answer;
        s.unanswered = null;
        long type = request.find(Codes.CC_REQUEST_TYPE, 0).orElseThrow().integer32();
        if (type == Codes.TERMINATION_REQUEST) {
            s.ended = true;
        } else {
            s.granted = grantedIn(answer);
        }
        s.nextNumber = request.find(Codes.CC_REQUEST_NUMBER, 0).orElseThrow().unsigned32() + 1;
    }

    private static DiameterMessage retransmission(DiameterMessage request) {
        return new DiameterMessage(request.flags() | DiameterMessage.FLAG_RETRANSMITTED, request.commandCode(),
                request.applicationId(), 0, request.endToEnd(), request.avps());
    }

    private static long resultCode(DiameterMessage answer) {
        return answer.find(Codes.RESULT_CODE, 0).map(Avp::unsigned32).orElseThrow();
    }

    private static long usedIn(DiameterMessage request) {
        return unitsIn(request, Codes.USED_SERVICE_UNIT);
    }

    private static long grantedIn(DiameterMessage answer) {
        return unitsIn(answer, Codes.GRANTED_SERVICE_UNIT);
    }

    /** Octets in the request's or answer's MSCCs under {@code code} (Used- or Granted-Service-Unit). */
    static long unitsIn(DiameterMessage message, long code) {
        long total = 0;
        for (Avp mscc : message.findAll(Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, 0)) {
            for (Avp unit : mscc.grouped()) {
                if (unit.code() == code) {
                    for (Avp amount : unit.grouped()) {
                        if (amount.code() == Codes.CC_TOTAL_OCTETS) {
                            total += amount.unsigned64();
                        }
                    }
                }
            }
        }
        return total;
    }
}
