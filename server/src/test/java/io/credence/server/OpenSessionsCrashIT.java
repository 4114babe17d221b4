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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sessions are state, recovered from the journal: 10,000 Gy sessions are opened (part of them
 * before a snapshot, part after it), the server is killed with SIGKILL, and after the restart
 * every session's next CCR-U, which names neither the subscriber nor the rating group's price,
 * is charged exactly once, from the grant the session held; a retransmission of it charges
 * nothing more.
 */
class OpenSessionsCrashIT {
    private static final LocalIdentity PGW = new LocalIdentity("pgw.open.test", "operator.test",
            List.of(new byte[] {127, 0, 0, 1}), 10415, "open-pgw", 1);
    private static final int SESSIONS = 10_000;
    private static final int SUBSCRIBERS = 50;
    private static final long BALANCE = 1_000_000_000L;
    private static final long QUOTA = 40_000;
    private static final int IN_FLIGHT = 400;

    @TempDir
    Path dir;

    private long endToEnd = 1;

    @Test
    void tenThousandOpenSessionsCarryOnAfterAKillEachNextUpdateChargedOnce() throws Exception {
        Path data = dir.resolve("data");
        Path log = dir.resolve("server.log");
        long[] granted = new long[SESSIONS];
        try (ServerProcess first = ServerProcess.start(data, log, "--diameter-peer", PGW.originHost(),
                "--snapshot-every", "3000", "--validity-seconds", "3600")) {
            provision(new Http(first.port));
            DiameterClient pgw = connect(first);
            List<DiameterMessage> initials = new ArrayList<>(SESSIONS);
            for (int s = 0; s < SESSIONS; s++) {
                initials.add(CcrBuilder.request(sessionId(s), PGW.originHost(), PGW.originRealm(), "credence.local",
                        Codes.INITIAL_REQUEST, 0).msisdn(msisdn(s)).mscc(10, Unit.BYTES, QUOTA, null)
                        .build(endToEnd++));
            }
            List<DiameterMessage> answers = sendAll(pgw, initials);
            for (int s = 0; s < SESSIONS; s++) {
                assertThat(resultCode(answers.get(s))).as("CCR-I of session %d", s).isEqualTo(Codes.DIAMETER_SUCCESS);
                granted[s] = DiameterCrashIT.unitsIn(answers.get(s), Codes.GRANTED_SERVICE_UNIT);
                assertThat(granted[s]).isEqualTo(QUOTA);
            }
            pgw.close();
            first.kill();
        }
        try (ServerProcess second = ServerProcess.start(data, log, "--diameter-peer", PGW.originHost())) {
            System.out.println("open sessions crash test: " + second.stdout.get(0));
            assertThat(second.stdout.get(0)).as("recovered from a snapshot and the journal after it")
                    .containsPattern("snapshot [1-9]\\d* \\+ [1-9]\\d* replayed");
            Http http = new Http(second.port);
            assertThat(http.get("v1/ledger").body().path("openReservations").asLong())
                    .as("every session's grant is still held").isEqualTo(SESSIONS);
            DiameterClient pgw = connect(second);
            List<DiameterMessage> updates = new ArrayList<>(SESSIONS);
            long[] used = new long[SESSIONS];
            for (int s = 0; s < SESSIONS; s++) {
                used[s] = 1_000 + s % 30_000;
                updates.add(CcrBuilder.request(sessionId(s), PGW.originHost(), PGW.originRealm(), "credence.local",
                        Codes.UPDATE_REQUEST, 1).mscc(10, Unit.BYTES, QUOTA, used[s]).build(endToEnd++));
            }
            List<DiameterMessage> answers = sendAll(pgw, updates);
            long[] usedBy = new long[SUBSCRIBERS];
            for (int s = 0; s < SESSIONS; s++) {
                assertThat(resultCode(answers.get(s))).as("CCR-U of session %d after the kill", s)
                        .isEqualTo(Codes.DIAMETER_SUCCESS);
                assertThat(DiameterCrashIT.unitsIn(answers.get(s), Codes.GRANTED_SERVICE_UNIT)).as("session %d granted on", s)
                        .isEqualTo(QUOTA);
                usedBy[s % SUBSCRIBERS] += used[s];
            }
            assertCharged(http, usedBy);

            // the same updates again, flagged as retransmissions: the first answers, nothing charged twice
            List<DiameterMessage> retransmitted = new ArrayList<>();
            for (int s = 0; s < SESSIONS; s += 97) {
                DiameterMessage u = updates.get(s);
                retransmitted.add(new DiameterMessage(u.flags() | DiameterMessage.FLAG_RETRANSMITTED,
                        u.commandCode(), u.applicationId(), 0, u.endToEnd(), u.avps()));
            }
            List<DiameterMessage> again = sendAll(pgw, retransmitted);
            for (int i = 0; i < again.size(); i++) {
                assertThat(again.get(i).avps()).as("retransmission %d", i).isEqualTo(answers.get(i * 97).avps());
            }
            assertCharged(http, usedBy);
            assertThat(http.get("v1/ledger").body().path("openReservations").asLong()).isEqualTo(SESSIONS);
            pgw.close();
        }
    }

    private static void assertCharged(Http http, long[] usedBy) {
        for (int a = 0; a < SUBSCRIBERS; a++) {
            long total = 0;
            for (var balance : http.get("v1/accounts/open-" + a).body().path("balances")) {
                if (balance.path("unit").asText().equals("BYTES")) {
                    total = balance.path("total").asLong();
                }
            }
            assertThat(total).as("subscriber %d charged what its sessions reported, once", a)
                    .isEqualTo(BALANCE - usedBy[a]);
        }
    }

    /** Sends all requests with at most {@link #IN_FLIGHT} unanswered at once; answers in request order. */
    private static List<DiameterMessage> sendAll(DiameterClient pgw, List<DiameterMessage> requests) throws Exception {
        List<CompletableFuture<DiameterMessage>> pending = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            if (i >= IN_FLIGHT) {
                pending.get(i - IN_FLIGHT).get(30, TimeUnit.SECONDS);
            }
            pending.add(pgw.send(requests.get(i)));
        }
        List<DiameterMessage> answers = new ArrayList<>(requests.size());
        for (CompletableFuture<DiameterMessage> f : pending) {
            answers.add(f.get(30, TimeUnit.SECONDS));
        }
        return answers;
    }

    private static void provision(Http http) {
        for (int a = 0; a < SUBSCRIBERS; a++) {
            String account = "open-" + a;
            assertThat(http.post("v1/accounts", "{\"requestId\":\"c-" + a + "\",\"accountId\":\"" + account
                    + "\",\"kind\":\"SUBSCRIBER\"}").status()).isEqualTo(201);
            assertThat(http.post("v1/accounts/" + account + "/topups", "{\"requestId\":\"t-" + a
                    + "\",\"unit\":\"BYTES\",\"amount\":" + BALANCE + "}").status()).isEqualTo(201);
            assertThat(http.post("v1/accounts/" + account + "/identities", "{\"requestId\":\"i-" + a
                    + "\",\"type\":\"E164\",\"value\":\"" + msisdnOf(a) + "\"}").status()).isEqualTo(201);
        }
    }

    private static String sessionId(int s) {
        return "pgw.open.test;1;" + s;
    }

    private static String msisdn(int session) {
        return msisdnOf(session % SUBSCRIBERS);
    }

    private static String msisdnOf(int subscriber) {
        return String.format("491520%05d", subscriber);
    }

    private static DiameterClient connect(ServerProcess server) throws Exception {
        return DiameterClient.connect("127.0.0.1", server.diameterPort, PGW,
                DiameterClient.Options.defaults().withRequestTimeout(Duration.ofSeconds(30)), request -> null);
    }

    private static long resultCode(DiameterMessage answer) {
        return answer.find(Codes.RESULT_CODE, 0).map(Avp::unsigned32).orElseThrow();
    }
}
