package io.credence.agent;

import io.credence.agent.Exchange.Answered;
import io.credence.agent.Exchange.NoAnswer;
import io.credence.agent.Exchange.Refused;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The device protocol over HTTP: builds each request, sends it and turns whatever happens into an
 * {@link Exchange}. It keeps no state between requests (the device token is passed in), so one
 * instance per SIM is cheap and many of them can share one {@link HttpClient}.
 *
 * <pre>
 * POST /v1/devices/{simId}/register  {"deviceId","simSecret"}       -> Registration
 * GET  /v1/devices/{simId}/packages                                 -> PackageList
 * POST /v1/devices/{simId}/grants    {"bytes"}                      -> Grant
 * POST /v1/devices/{simId}/reports   {"seq","bytes","final"}        -> ReportAnswer
 * all: Authorization: Bearer apiKey; after registration also Credence-Device-Token: token
 * </pre>
 */
public final class DeviceApi {
    /** Largest answer body read; a package list of {@link PackageList#PACKAGES_MAX} entries fits. */
    static final int ANSWER_BYTES_MAX = 512 * 1024;
    static final String DEVICE_TOKEN_HEADER = "Credence-Device-Token";
    /** Statuses that mean "not now": the request is repeated unchanged at the next interval. */
    private static final Set<Integer> BUSY_STATUSES = Set.of(429, 502, 503, 504);

    static {
        // A body the transport accepted must never be refused by the JSON reader for its length alone.
        if (ANSWER_BYTES_MAX > JsonReader.CHARS_MAX) {
            throw new AssertionError("ANSWER_BYTES_MAX must be <= JsonReader.CHARS_MAX");
        }
    }

    private final HttpClient http;
    private final String devicePath;
    private final String apiKey;
    private final String simId;
    private final Duration requestTimeout;

    /**
     * @param http one client may serve any number of agents (see {@link #newHttpClient})
     */
    public DeviceApi(HttpClient http, URI server, String apiKey, String simId, Duration requestTimeout) {
        this.http = Objects.requireNonNull(http, "http");
        String base = server.toString();
        this.devicePath = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/devices/" + simId;
        this.apiKey = apiKey;
        this.simId = simId;
        this.requestTimeout = requestTimeout;
        if (!AgentConfig.isValidSimId(simId) || !Registration.isHeaderSafe(apiKey, AgentConfig.API_KEY_CHARS_MAX)
                || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("invalid simId, apiKey or requestTimeout (see AgentConfig)");
        }
    }

    /**
     * A client for the device protocol: HTTP/1.1 (the protocol is one small request at a time per
     * SIM, and the JDK's HTTP/2 client fails past a connection's stream limit when thousands of
     * agents share it), no redirects (a redirect would carry the API key elsewhere).
     */
    public static HttpClient newHttpClient(Duration connectTimeout) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public Exchange<Registration> register(String deviceId, String simSecret) throws InterruptedException {
        JsonValue body = JsonValue.JsonObject.builder().put("deviceId", deviceId).put("simSecret", simSecret).build();
        return exchange("register", post("/register", null, body), json -> {
            Registration registration = Registration.fromJson(json);
            if (!registration.simId().equals(simId)) {
                throw new JsonException("field 'simId': answer is for SIM " + registration.simId() + ", asked for " + simId);
            }
            if (!registration.deviceId().equals(deviceId)) {
                throw new JsonException("field 'deviceId': answer is for device " + registration.deviceId()
                        + ", asked for " + deviceId);
            }
            return registration;
        });
    }

    public Exchange<PackageList> packages(String token) throws InterruptedException {
        return exchange("packages", request("/packages", token).GET().build(), PackageList::fromJson);
    }

    /** Asks for a grant of {@code bytes}; the server may grant less, or answer with the grant already open. */
    public Exchange<Grant> requestGrant(String token, long bytes) throws InterruptedException {
        if (bytes < 1) {
            throw new IllegalArgumentException("bytes must be >= 1, was " + bytes);
        }
        JsonValue body = JsonValue.JsonObject.builder().put("bytes", bytes).build();
        return exchange("grant", post("/grants", token, body), Grant::fromJson);
    }

    public Exchange<ReportAnswer> report(String token, long seq, long bytes, boolean finalReport)
            throws InterruptedException {
        if (seq < 1 || bytes < 0) {
            throw new IllegalArgumentException("seq must be >= 1 and bytes >= 0, were " + seq + ", " + bytes);
        }
        JsonValue body = JsonValue.JsonObject.builder().put("seq", seq).put("bytes", bytes).put("final", finalReport).build();
        return exchange("report " + seq, post("/reports", token, body), json -> {
            ReportAnswer answer = ReportAnswer.fromJson(json);
            if (answer.seq() != seq) {
                throw new JsonException("field 'seq': answer is for seq " + answer.seq() + ", sent " + seq);
            }
            return answer;
        });
    }

    /** Reports per batch request; the server takes up to 1000. */
    public static final int REPORTS_PER_BATCH = 500;

    /**
     * Sends reports kept while offline in one request ({@code {"reports": [...]}}), numbered in
     * order; the answers come back in the same order, each for its own seq.
     */
    public Exchange<List<ReportAnswer>> reportBatch(String token, List<AgentStore.PendingReport> reports)
            throws InterruptedException {
        if (reports.isEmpty() || reports.size() > REPORTS_PER_BATCH) {
            throw new IllegalArgumentException("a batch holds 1.." + REPORTS_PER_BATCH + " reports, was " + reports.size());
        }
        List<JsonValue> items = new ArrayList<>(reports.size());
        for (AgentStore.PendingReport r : reports) {
            items.add(JsonValue.JsonObject.builder().put("seq", r.seq()).put("bytes", r.bytes())
                    .put("final", r.finalReport()).build());
        }
        JsonValue body = JsonValue.JsonObject.builder().put("reports", new JsonValue.JsonArray(items)).build();
        String name = "reports " + reports.getFirst().seq() + ".." + reports.getLast().seq();
        return exchange(name, post("/reports", token, body), json -> {
            List<JsonValue> answers = json.requireArray("reports").elements();
            if (answers.size() != reports.size()) {
                throw new JsonException("field 'reports': " + answers.size() + " answers for " + reports.size() + " reports");
            }
            List<ReportAnswer> out = new ArrayList<>(answers.size());
            for (int i = 0; i < answers.size(); i++) {
                if (!(answers.get(i) instanceof JsonValue.JsonObject one)) {
                    throw new JsonException("field 'reports[" + i + "]': expected an object");
                }
                ReportAnswer answer;
                try {
                    answer = ReportAnswer.fromJson(one);
                } catch (JsonException e) {
                    throw e.within("reports[" + i + "]");
                }
                if (answer.seq() != reports.get(i).seq()) {
                    throw new JsonException("field 'reports[" + i + "].seq': answer is for seq " + answer.seq()
                            + ", sent " + reports.get(i).seq());
                }
                out.add(answer);
            }
            return out;
        });
    }

    @FunctionalInterface
    interface Decoder<T> {
        T decode(JsonValue.JsonObject json) throws JsonException;
    }

    private HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(devicePath + path))
                .timeout(requestTimeout)
                .header("Authorization", "Bearer " + apiKey)
                .header("Accept", "application/json, application/problem+json");
        if (token != null) {
            builder.header(DEVICE_TOKEN_HEADER, token);
        }
        return builder;
    }

    private HttpRequest post(String path, String token, JsonValue body) {
        return request(path, token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JsonWriter.write(body), StandardCharsets.UTF_8))
                .build();
    }

    private <T> Exchange<T> exchange(String what, HttpRequest request, Decoder<T> decoder) throws InterruptedException {
        CompletableFuture<HttpResponse<byte[]>> pending =
                http.sendAsync(request, info -> new BoundedBody(ANSWER_BYTES_MAX));
        HttpResponse<byte[]> response;
        try {
            // The request timeout of the JDK client ends when the headers arrive; this bounds the body too.
            response = pending.get(requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            return new NoAnswer<>(what + ": no answer within " + requestTimeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            pending.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof IOException io) {
                return new NoAnswer<>(what + ": " + describe(io));
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(what + ": unexpected failure", cause);
        }
        return classify(what, response.statusCode(), response.body(), serverDate(response), decoder);
    }

    /** The one table from HTTP status to outcome. */
    static <T> Exchange<T> classify(String what, int status, byte[] body, Instant serverDate, Decoder<T> decoder) {
        if (BUSY_STATUSES.contains(status)) {
            return new NoAnswer<>(what + ": server busy (HTTP " + status + ")");
        }
        if (status >= 200 && status <= 299) {
            try {
                if (!(JsonReader.parse(body, JsonReader.DEPTH_MAX, JsonReader.CHARS_MAX) instanceof JsonValue.JsonObject json)) {
                    throw new JsonException("expected a JSON object");
                }
                return new Answered<>(decoder.decode(json), serverDate);
            } catch (JsonException e) {
                // The request may or may not have been applied; repeating it is safe either way.
                return new NoAnswer<>(what + ": malformed answer (HTTP " + status + "): " + e.getMessage());
            }
        }
        if (status >= 400 && status <= 599) {
            return new Refused<>(Problem.fromAnswer(status, body));
        }
        return new NoAnswer<>(what + ": unexpected HTTP " + status);
    }

    private static Instant serverDate(HttpResponse<?> response) {
        return response.headers().firstValue("Date").map(date -> {
            try {
                return Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(date));
            } catch (DateTimeParseException e) {
                return null; // without it, grant expiry is read with the local clock alone
            }
        }).orElse(null);
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    /** Collects an answer body up to a bound: a length from the wire is never trusted. */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private final ByteArrayOutputStream collected = new ByteArrayOutputStream();
        private final int bytesMax;
        private Flow.Subscription subscription;

        BoundedBody(int bytesMax) {
            this.bytesMax = bytesMax;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (body.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                if ((long) collected.size() + buffer.remaining() > bytesMax) {
                    subscription.cancel();
                    body.completeExceptionally(new IOException("answer longer than " + bytesMax + " bytes"));
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                collected.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            body.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            body.complete(collected.toByteArray());
        }
    }
}
