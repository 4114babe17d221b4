package io.credence.server.bench;

import io.credence.diameter.cc.CcrBuilder;
import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.transport.DiameterClient;
import io.credence.ledger.Unit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load of {@code credence bench diameter}: whole credit-control sessions (CCR-I, the CCR-Us,
 * CCR-T) over connections that are already open, on the schedule of {@link SessionSchedule}.
 * Answers are counted by Result-Code; they arrive on each connection's event loop.
 */
final class DiameterLoad extends SessionSchedule<DiameterLoad.Session> {
    /** Result-Code counted for a request that got no answer (timeout or lost connection). */
    static final long NO_ANSWER = Counts.NO_ANSWER;

    private final List<DiameterClient> connections;
    private final String runId;
    private final AtomicInteger endToEnd = new AtomicInteger();
    private final AtomicLong nextSession = new AtomicLong();

    /** One session slot: the session it is running now. */
    static final class Session extends SessionSchedule.Slot {
        final DiameterClient connection;
        final String originHost;
        String sessionId;
        String msisdn;

        Session(DiameterClient connection, String originHost) {
            this.connection = connection;
            this.originHost = originHost;
        }
    }

    DiameterLoad(LoadPlan plan, List<DiameterClient> connections, long requestTimeoutNanos, String runId) {
        super(plan, requestTimeoutNanos);
        if (connections.size() != plan.originHosts().size()) {
            throw new IllegalArgumentException("one connection per Origin-Host required");
        }
        this.connections = List.copyOf(connections);
        this.runId = runId;
        List<Session> slots = new ArrayList<>();
        for (int i = 0; i < plan.sessions(); i++) {
            int c = i % connections.size();
            slots.add(new Session(connections.get(c), plan.originHosts().get(c)));
        }
        start(slots);
    }

    @Override
    void begin(Session s) {
        long n = nextSession.getAndIncrement();
        s.sessionId = s.originHost + ";" + runId + ";" + n;
        s.msisdn = plan.msisdn((int) (n % plan.subscribers()));
        s.nextNumber = 0;
    }

    @Override
    String stopReason() {
        for (DiameterClient c : connections) {
            if (!c.isConnected()) {
                return "the connection was closed by the server";
            }
        }
        return null;
    }

    @Override
    LoadReport.Protocol protocol() {
        return LoadReport.Protocol.DIAMETER;
    }

    @Override
    void send(Session s, long dueNanos) {
        int number = s.nextNumber;
        Step step = stepOf(number);
        int type = switch (step) {
            case FIRST -> Codes.INITIAL_REQUEST;
            case UPDATE -> Codes.UPDATE_REQUEST;
            case LAST -> Codes.TERMINATION_REQUEST;
        };
        CcrBuilder ccr = CcrBuilder.request(s.sessionId, s.originHost, plan.originRealm(), plan.destinationRealm(),
                type, number).msisdn(s.msisdn);
        long used = step == Step.FIRST ? 0 : LoadPlan.USED_OCTETS;
        switch (step) {
            case FIRST -> ccr.mscc(LoadPlan.RATING_GROUP, Unit.BYTES, LoadPlan.REQUESTED_OCTETS, null);
            case UPDATE -> ccr.mscc(LoadPlan.RATING_GROUP, Unit.BYTES, LoadPlan.REQUESTED_OCTETS, used);
            case LAST -> ccr.mscc(LoadPlan.RATING_GROUP, Unit.BYTES, null, used);
        }
        DiameterMessage request = ccr.build(endToEnd.incrementAndGet() & 0xFFFF_FFFFL);
        s.connection.send(request).whenComplete((answer, failure) -> {
            long resultCode = answer == null ? NO_ANSWER : answer.find(Codes.RESULT_CODE, 0).map(Avp::unsigned32)
                    .orElse(0L);
            answered(s, step, dueNanos, used, new Answer(resultCode, resultCode == Codes.DIAMETER_SUCCESS));
        });
    }
}
