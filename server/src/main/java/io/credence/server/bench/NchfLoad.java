package io.credence.server.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The open-loop load of {@code credence bench nchf}: whole Nchf converged-charging sessions
 * (create, {@code updates} updates, release) over HTTP/2 clients whose connections are already
 * upgraded, on the schedule of {@link SessionSchedule}.
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
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<HttpClient> clients;
    private final URI base;
    private final Duration requestTimeout;
    private final String nfName;
    private final String timeStamp = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    private final AtomicLong overHttp1 = new AtomicLong();
    private final AtomicLong nextSession = new AtomicLong();
    private volatile String lost;
    private volatile String firstFailure;
    /** Causes by the number they are counted under (0: none); guarded by itself. */
    private final List<String> causes = new ArrayList<>(List.of(""));

    /**
     * One session slot: the session it runs now and where that session stands; its nextNumber is
     * the invocationSequenceNumber of its next request.
     */
    static final class Session extends SessionSchedule.Slot {
        final HttpClient client;
        long number;
        String msisdn;
        String ref;

        Session(HttpClient client) {
            this.client = client;
        }
    }

    /**
     * @param base   the server's URL ending in '/'
     * @param runId  makes this run's create bodies (and so its ChargingDataRefs) differ from other runs'
     */
    NchfLoad(LoadPlan plan, List<HttpClient> clients, URI base, Duration requestTimeout, String runId) {
        super(plan, requestTimeout.toNanos());
        this.clients = List.copyOf(clients);
        this.base = base;
        this.requestTimeout = requestTimeout;
        this.nfName = "credence-bench-" + runId;
        List<Session> slots = new ArrayList<>();
        for (int i = 0; i < plan.sessions(); i++) {
            slots.add(new Session(clients.get(i % clients.size())));
        }
        start(slots);
    }

    /** The first request that failed without an answer, or null. */
    String firstFailure() {
        return firstFailure;
    }

    /** Answers that came over HTTP/1.1, not HTTP/2 (should be 0). */
    long overHttp1() {
        return overHttp1.get();
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

    @Override
    String stopReason() {
        return lost;
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
            case FIRST -> ROOT;
            case UPDATE -> ROOT + "/" + s.ref + "/update";
            case LAST -> ROOT + "/" + s.ref + "/release";
        };
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(s, step))).build();
        try {
            s.client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                    .whenComplete((response, failure) -> answered(s, step, dueNanos, response, failure));
        } catch (RuntimeException refused) { // e.g. the client was shut down
            answered(s, step, dueNanos, null, refused);
        }
    }

    /** On an HttpClient thread (or at once, for a request that could not be sent). */
    private void answered(Session s, Step step, long dueNanos, HttpResponse<byte[]> response, Throwable failure) {
        int status = response == null ? -1 : response.statusCode();
        String cause = response == null ? null : cause(response);
        String ref = null;
        if (response != null && step == Step.FIRST && status == 201) {
            ref = response.headers().firstValue("Location").map(l -> l.substring(l.lastIndexOf('/') + 1))
                    .filter(r -> !r.isEmpty()).orElse(null);
            cause = ref == null ? "NO_LOCATION" : cause;
        }
        if (response != null && response.version() != HttpClient.Version.HTTP_2) {
            overHttp1.incrementAndGet();
        }
        if (failure != null && firstFailure == null) {
            firstFailure = String.valueOf(unwrap(failure));
        }
        if (failure != null && unwrap(failure) instanceof ConnectException) {
            lost = "cannot connect to " + base;
        }
        boolean success = status >= 200 && status < 300 && cause == null;
        if (success && step == Step.FIRST) {
            s.ref = ref; // the session is this thread's until answered() hands it on
        }
        long code = response == null ? Counts.NO_ANSWER : status * 1000L + causeIndex(cause);
        answered(s, step, dueNanos, step == Step.FIRST ? 0 : LoadPlan.USED_OCTETS, new Answer(code, success));
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    /** The problem's cause, "-" for an error without one; null for a success (whose body is not read). */
    private static String cause(HttpResponse<byte[]> response) {
        int status = response.statusCode();
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
