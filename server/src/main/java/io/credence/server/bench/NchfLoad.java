package io.credence.server.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.server.bench.h2c.H2cConnection;
import io.credence.server.bench.h2c.H2cResponse;
import io.netty.util.AsciiString;

import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The open-loop load of {@code credence bench nchf}: whole Nchf converged-charging sessions
 * (create, {@code updates} updates, release) over h2c connections that are already open
 * ({@link H2cConnection}: HTTP/2 by prior knowledge, so every answer is an HTTP/2 answer), on the
 * schedule of {@link SessionSchedule}. Answers arrive on the connections' event loops.
 *
 * <p>A create's {@code ChargingDataRef} (the last segment of its {@code Location}) names the
 * session's later requests; each request carries the next {@code invocationSequenceNumber}. The
 * server derives the ref from the create body, so every create body is made unique by the run
 * ({@code nFName}) and the session number ({@code chargingId}).
 *
 * <p>Answers are counted by a code {@code status * 1000 + cause}, where cause 0 is none and
 * otherwise the 3GPP {@code cause} of the problem body, numbered in order of first appearance;
 * success is a 2xx without a cause (a create without {@code Location} counts as cause
 * {@code NO_LOCATION}).
 */
final class NchfLoad extends SessionSchedule<NchfLoad.Session> {
    static final String ROOT = "nchf-convergedcharging/v3/chargingdata";
    private static final String CREATE_PATH = "/" + ROOT;
    private static final AsciiString POST = AsciiString.cached("POST");
    private static final AsciiString JSON_TYPE = AsciiString.cached("application/json");
    private static final AsciiString LOCATION = AsciiString.cached("location");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<H2cConnection> connections;
    private final String nfName;
    private final String timeStamp = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    private final AtomicLong nextSession = new AtomicLong();
    private volatile String firstFailure;
    /** Causes by the number they are counted under (0: none); guarded by itself. */
    private final List<String> causes = new ArrayList<>(List.of(""));

    /**
     * One session slot: the session it runs now and where that session stands; its nextNumber is
     * the invocationSequenceNumber of its next request.
     */
    static final class Session extends SessionSchedule.Slot {
        final H2cConnection connection;
        long number;
        String msisdn;
        String ref;

        Session(H2cConnection connection) {
            this.connection = connection;
        }
    }

    /**
     * @param connections     open connections; session slot i sends on connection i mod their number
     * @param requestTimeoutNanos the connections' request timeout: how long the drain waits at most
     * @param runId           makes this run's create bodies (and so its ChargingDataRefs) differ from other runs'
     */
    NchfLoad(LoadPlan plan, List<H2cConnection> connections, long requestTimeoutNanos, String runId) {
        super(plan, requestTimeoutNanos);
        this.connections = List.copyOf(connections);
        this.nfName = "credence-bench-" + runId;
        List<Session> slots = new ArrayList<>();
        for (int i = 0; i < plan.sessions(); i++) {
            slots.add(new Session(connections.get(i % connections.size())));
        }
        start(slots);
    }

    /** The first request that failed without an answer, or null. */
    String firstFailure() {
        return firstFailure;
    }

    @Override
    LoadReport.Protocol protocol() {
        List<String> names;
        synchronized (causes) {
            names = List.copyOf(causes);
        }
        return new LoadReport.Protocol("nchf", "request", "update", "release", "HTTP status and cause", "2xx",
                code -> code >= 200_000 && code < 300_000 && code % 1000 == 0,
                code -> code / 1000 + (code % 1000 == 0 ? "" : " " + names.get((int) (code % 1000))));
    }

    /** A lost connection stops the run: its sessions could only count failures from then on. */
    @Override
    String stopReason() {
        for (H2cConnection c : connections) {
            if (!c.isOpen()) {
                return "HTTP/2 connection to " + c + ": " + c.closedBecause();
            }
        }
        return null;
    }

    /** The JSON body of a session's next request (TS 32.291 ChargingDataRequest, as an SMF sends it). */
    private String body(Session s, Step step) {
        StringBuilder b = new StringBuilder(400).append("{\"subscriberIdentifier\":\"msisdn-").append(s.msisdn)
                .append("\",\"nfConsumerIdentification\":{\"nodeFunctionality\":\"SMF\",\"nFName\":\"").append(nfName)
                .append("\"},\"invocationTimeStamp\":\"").append(timeStamp)
                .append("\",\"invocationSequenceNumber\":").append(s.nextNumber)
                .append(",\"pDUSessionChargingInformation\":{\"chargingId\":").append(s.number)
                .append("},\"multipleUnitUsage\":[{\"ratingGroup\":").append(LoadPlan.RATING_GROUP);
        if (step != Step.LAST) {
            b.append(",\"requestedUnit\":{\"totalVolume\":").append(LoadPlan.REQUESTED_OCTETS).append('}');
        }
        if (step != Step.FIRST) {
            b.append(",\"usedUnitContainer\":[{\"totalVolume\":").append(LoadPlan.USED_OCTETS)
                    .append(",\"localSequenceNumber\":").append(s.nextNumber).append("}]");
        }
        return b.append("}]}").toString();
    }

    @Override
    void send(Session s, long dueNanos) {
        Step step = stepOf(s.nextNumber);
        String path = switch (step) {
            case FIRST -> CREATE_PATH;
            case UPDATE -> CREATE_PATH + "/" + s.ref + "/update";
            case LAST -> CREATE_PATH + "/" + s.ref + "/release";
        };
        s.connection.send(POST, path, JSON_TYPE, body(s, step),
                (response, failure) -> answered(s, step, dueNanos, response, failure));
    }

    /** On the connection's event loop (or at once, for a request that could not be sent). */
    private void answered(Session s, Step step, long dueNanos, H2cResponse response, Throwable failure) {
        int status = response == null ? -1 : response.status();
        String cause = response == null ? null : cause(response);
        String ref = null;
        if (response != null && step == Step.FIRST && status == 201) {
            String location = response.header(LOCATION);
            ref = location == null ? null : location.substring(location.lastIndexOf('/') + 1);
            ref = ref == null || ref.isEmpty() ? null : ref;
            cause = ref == null ? "NO_LOCATION" : cause;
        }
        if (failure != null && firstFailure == null) {
            firstFailure = String.valueOf(failure);
        }
        boolean success = status >= 200 && status < 300 && cause == null;
        if (success && step == Step.FIRST) {
            s.ref = ref; // the session is this thread's until answered() hands it on
        }
        long code = response == null ? Counts.NO_ANSWER : status * 1000L + causeIndex(cause);
        answered(s, step, dueNanos, step == Step.FIRST ? 0 : LoadPlan.USED_OCTETS, new Answer(code, success));
    }

    /** The problem's cause, "-" for an error without one; null for a success (whose body is not read). */
    private static String cause(H2cResponse response) {
        int status = response.status();
        if (status >= 200 && status < 300) {
            return null;
        }
        try {
            JsonNode cause = JSON.readTree(response.body()).path("cause");
            return cause.isTextual() ? cause.asText() : "-";
        } catch (IOException | RuntimeException notJson) {
            return "-";
        }
    }

    private int causeIndex(String cause) {
        if (cause == null) {
            return 0;
        }
        synchronized (causes) {
            return indexOf(cause);
        }
    }

    /** Under the causes' lock. */
    private int indexOf(String cause) {
        int i = causes.indexOf(cause);
        if (i < 0) {
            if (causes.size() == 999) {
                return indexOf("OTHER");
            }
            causes.add(cause);
            i = causes.size() - 1;
        }
        return i;
    }

    @Override
    void begin(Session s) {
        long n = nextSession.getAndIncrement();
        s.number = n;
        s.msisdn = plan.msisdn((int) (n % plan.subscribers()));
        s.ref = null;
        s.nextNumber = 0;
    }
}
