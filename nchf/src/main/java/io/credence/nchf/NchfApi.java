package io.credence.nchf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.credence.diameter.cc.CreditControlConfig;
import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.transport.ApplicationHandler;
import io.credence.http.ProvisioningApi;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Nchf_ConvergedCharging v3 (TS 32.291) on the credit-control engine:
 *
 * <pre>
 *   POST /nchf-convergedcharging/v3/chargingdata                     create   CCR-I  201 + Location
 *   POST /nchf-convergedcharging/v3/chargingdata/{ref}/update        update   CCR-U  200
 *   POST /nchf-convergedcharging/v3/chargingdata/{ref}/release       release  CCR-T  204
 * </pre>
 *
 * Each request becomes the equivalent CCR ({@link CcrMapping}), handed in-process to the same
 * {@link ApplicationHandler} the Diameter listener uses, and its CCA is mapped back
 * ({@link CcaMapping}). Reservations, rating, usage records and exactly-once therefore are the
 * Diameter ones, and a balance cannot be spent twice across the two interfaces.
 *
 * <p>The ChargingDataRef is a digest of the create request (less retransmissionIndicator, see
 * {@link CanonicalJson}), so a create the consumer retries lands on the same session. Each request
 * gets its CC-Request-Number from {@link ChargingRefs}, not from invocationSequenceNumber (free5GC
 * sends 0 in every request): a retry, told by retransmissionIndicator or by an identical body, is
 * given the number of the request it repeats and so gets the first answer; anything else is a new
 * request and is charged. That table is bounded ({@link ChargingRefs.Limits}; past it 503
 * NF_CONGESTION) and held in memory: after a server restart it is empty (sessions will become
 * journaled state later).
 */
public final class NchfApi extends Handler.Abstract {
    public static final String PATH_PREFIX = "/nchf-convergedcharging/";
    private static final String ROOT = "/nchf-convergedcharging/v3/chargingdata";
    /** The engine answers every request within the ledger's own timeout; this only guards against a bug. */
    private static final long ANSWER_TIMEOUT_SECONDS = 60;
    private static final int REF_LENGTH_MAX = 64;
    private static final System.Logger LOG = System.getLogger(NchfApi.class.getName());
    /** A consumer that repeats its sequence numbers does so on every request: say so now and then, not each time. */
    private static final long REUSE_LOG_EVERY_MILLIS = 60_000;

    private final ApplicationHandler creditControl;
    private final String realm;
    private final ChargingRefs refs;
    private final LocalPeer peer = new LocalPeer();
    private final AtomicLong endToEnd = new AtomicLong();
    private final AtomicLong reuseLoggedAt = new AtomicLong(Long.MIN_VALUE / 2);
    private final AtomicLong reuseUnlogged = new AtomicLong();

    /**
     * With the default bounds of the credit-control engine ({@link CreditControlConfig#defaults()}).
     *
     * @param creditControl the credit-control engine (a running {@code CreditControlServer})
     * @param realm         its Origin-Realm, the CCRs' Destination-Realm
     */
    public NchfApi(ApplicationHandler creditControl, String realm) {
        this(creditControl, realm, CreditControlConfig.defaults(), System::currentTimeMillis);
    }

    /**
     * @param config the credit-control engine's configuration: the ChargingDataRef table takes its
     *               bounds from it (see {@link ChargingRefs.Limits#of})
     * @param clock  milliseconds since the epoch
     */
    public NchfApi(ApplicationHandler creditControl, String realm, CreditControlConfig config, LongSupplier clock) {
        this.creditControl = creditControl;
        this.realm = realm;
        this.refs = new ChargingRefs(ChargingRefs.Limits.of(config), clock);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        try {
            reply(request, response, callback);
        } catch (RequestReader.Invalid invalid) {
            io.credence.http.RequestBodies.drained(request); // a refusal before the body was read
            send(response, callback, invalid.problem);
        }
        return true;
    }

    private void reply(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        CcaMapping.Kind kind;
        String ref;
        if (path.equals(ROOT)) {
            kind = CcaMapping.Kind.CREATE;
            ref = null;
        } else if (path.startsWith(ROOT + "/") && (path.endsWith("/update") || path.endsWith("/release"))
                && path.lastIndexOf('/') > ROOT.length()) { // .../chargingdata/release names no ref
            kind = path.endsWith("/update") ? CcaMapping.Kind.UPDATE : CcaMapping.Kind.RELEASE;
            ref = path.substring(ROOT.length() + 1, path.lastIndexOf('/'));
            if (!ref.matches("[A-Za-z0-9_-]{1," + REF_LENGTH_MAX + "}")) {
                throw new RequestReader.Invalid(NchfProblem.of(404, "CONTEXT_NOT_FOUND", "no charging data " + ref));
            }
        } else {
            throw new RequestReader.Invalid(NchfProblem.of(404, "RESOURCE_URI_STRUCTURE_NOT_FOUND", "no resource at " + path));
        }
        if (!request.getMethod().equals("POST")) {
            response.getHeaders().put(HttpHeader.ALLOW, "POST");
            throw new RequestReader.Invalid(NchfProblem.of(405, "METHOD_NOT_ALLOWED", "only POST, not " + request.getMethod()));
        }
        ObjectNode body = RequestReader.parse(body(request));
        ChargingDataRequest charging = RequestReader.read(body, kind == CcaMapping.Kind.CREATE);
        byte[] digest = CanonicalJson.digest(body);
        if (ref == null) {
            ref = refOf(digest);
        }
        int type = switch (kind) {
            case CREATE -> Codes.INITIAL_REQUEST;
            case UPDATE -> Codes.UPDATE_REQUEST;
            case RELEASE -> Codes.TERMINATION_REQUEST;
        };
        DiameterMessage cca = charge(charging, kind, type, ref, digest);
        CcaMapping.Outcome outcome = CcaMapping.map(cca, kind, charging);
        switch (outcome) {
            case CcaMapping.Refused refused -> send(response, callback, refused.problem());
            case CcaMapping.Charged charged -> {
                switch (kind) {
                    case CREATE -> {
                        response.getHeaders().put(HttpHeader.LOCATION, HttpURI.build(request.getHttpURI())
                                .path(ROOT + "/" + ref).query(null).asString());
                        send(response, callback, 201, "application/json", charged.body());
                    }
                    case UPDATE -> send(response, callback, 200, "application/json", charged.body());
                    case RELEASE -> {
                        response.setStatus(204);
                        callback.succeeded();
                    }
                }
            }
        }
    }

    /**
     * Numbers the request in its ref's entry and hands it to the engine under the entry's lock (so
     * requests of one ref reach it in the order they were numbered), then waits for the answer
     * outside it and records what the answer means for the entry.
     */
    private DiameterMessage charge(ChargingDataRequest charging, CcaMapping.Kind kind, int type, String ref,
                                   byte[] digest) {
        ChargingRefs.Entry entry;
        try {
            entry = refs.enter(ref);
        } catch (ChargingRefs.Full full) {
            throw new RequestReader.Invalid(NchfProblem.of(503, "NF_CONGESTION", full.getMessage()));
        }
        try {
            CompletableFuture<DiameterMessage> answer;
            synchronized (entry) {
                ChargingRefs.Numbered numbered = entry.number(kind == CcaMapping.Kind.CREATE, digest,
                        charging.sequenceNumber(), charging.retransmission(), refs.restartBase());
                if (numbered == null) {
                    throw new RequestReader.Invalid(NchfProblem.of(400, "CHARGING_FAILED", "charging data " + ref
                            + " was created and has been updated since; a create cannot be repeated now"));
                }
                if (numbered.sequenceReused()) {
                    logReuse(ref, charging.sequenceNumber(), numbered.number());
                }
                answer = creditControl.handle(CcrMapping.ccr(charging, type, numbered.number(), ref, realm,
                        endToEnd.incrementAndGet() & 0xFFFF_FFFFL), peer).toCompletableFuture();
            }
            DiameterMessage cca = await(answer);
            long code = cca.find(Codes.RESULT_CODE, 0).map(Avp::unsigned32).orElse(Codes.DIAMETER_UNABLE_TO_COMPLY);
            long now = refs.now();
            if (code == Codes.DIAMETER_UNKNOWN_SESSION_ID) {
                entry.unknown(now);
            } else if (kind == CcaMapping.Kind.RELEASE || (kind == CcaMapping.Kind.CREATE && code != Codes.DIAMETER_SUCCESS
                    && code != Codes.DIAMETER_TOO_BUSY)) {
                // released, or a create refused outright (its Diameter session ended): kept for retries only
                entry.released(now, refs.limits().retentionMillis());
            } else {
                entry.touched(now, refs.limits().idleMillis());
            }
            return cca;
        } finally {
            refs.leave(entry);
        }
    }

    /** A consumer reusing invocationSequenceNumber for new requests (free5GC does on every one): rate-limited. */
    private void logReuse(String ref, long sequence, long number) {
        long now = refs.now();
        long last = reuseLoggedAt.get();
        if (now - last < REUSE_LOG_EVERY_MILLIS || !reuseLoggedAt.compareAndSet(last, now)) {
            reuseUnlogged.incrementAndGet();
            return;
        }
        LOG.log(System.Logger.Level.INFO, "charging data {0}: invocationSequenceNumber {1} repeated with another "
                + "body, charged as a new request (CC-Request-Number {2}); {3} more like it since the last such line",
                ref, String.valueOf(sequence), String.valueOf(number), String.valueOf(reuseUnlogged.getAndSet(0)));
    }

    private static DiameterMessage await(CompletableFuture<DiameterMessage> answer) {
        try {
            return answer.get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException late) {
            throw new RequestReader.Invalid(NchfProblem.of(503, "NF_CONGESTION", "credit control did not answer: " + late));
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new RequestReader.Invalid(NchfProblem.of(503, "NF_CONGESTION", "interrupted while charging"));
        }
    }

    /** 22 characters of base64url: the first 128 bits of the create body's {@link CanonicalJson} digest. */
    static String refOf(byte[] createDigest) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(createDigest, 16));
    }

    /** The body, within the provisioning API's bound ({@link ProvisioningApi#BODY_BYTES_MAX}). */
    private static byte[] body(Request request) {
        int max = ProvisioningApi.BODY_BYTES_MAX;
        if (request.getLength() > max) {
            throw new RequestReader.Invalid(NchfProblem.of(413, "INVALID_MSG_FORMAT", "body of " + request.getLength()
                    + " bytes exceeds " + max));
        }
        String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (contentType != null && !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new RequestReader.Invalid(NchfProblem.of(415, "INVALID_MSG_FORMAT", "send application/json, not "
                    + contentType));
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                throw new RequestReader.Invalid(NchfProblem.of(413, "INVALID_MSG_FORMAT", "body exceeds " + max + " bytes"));
            }
            return bytes;
        } catch (IOException unreadable) {
            throw new RequestReader.Invalid(NchfProblem.of(400, "INVALID_MSG_FORMAT", "body could not be read: "
                    + unreadable.getMessage()));
        }
    }

    private static void send(Response response, Callback callback, NchfProblem problem) {
        if (problem.status() == 503) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
        }
        send(response, callback, problem.status(), NchfProblem.CONTENT_TYPE, problem.body());
    }

    private static void send(Response response, Callback callback, int status, String contentType,
                             Map<String, Object> body) {
        byte[] bytes;
        try {
            bytes = RequestReader.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException("maps of plain values always serialise", impossible);
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }
}
