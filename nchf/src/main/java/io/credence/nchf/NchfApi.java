package io.credence.nchf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.credence.charging.ChargingRequest;
import io.credence.charging.EngineCommand;
import io.credence.charging.EngineOutcome;
import io.credence.http.ProvisioningApi;
import io.credence.journal.EngineGate;
import io.credence.journal.Submission;
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
import java.util.concurrent.Executor;

/**
 * Nchf_ConvergedCharging v3 (TS 32.291) as an adapter of the charging engine:
 *
 * <pre>
 *   POST /nchf-convergedcharging/v3/chargingdata                     create   INITIAL    201 + Location
 *   POST /nchf-convergedcharging/v3/chargingdata/{ref}/update        update   UPDATE     200
 *   POST /nchf-convergedcharging/v3/chargingdata/{ref}/release       release  TERMINATE  204
 * </pre>
 *
 * Each request is read ({@link RequestReader}), translated to the engine's request
 * ({@link ChargingDataTranslation}) and applied as one engine command, the same kind a Diameter
 * CCR is; the outcome becomes the response ({@link ChargingDataResponses}). Sessions, grants,
 * rating and usage records are the engine's, so a balance cannot be spent twice across the two
 * interfaces, and a session survives a restart.
 *
 * <p>The ChargingDataRef is a digest of the create request (less retransmissionIndicator, see
 * {@link CanonicalJson}), so a create the consumer retries lands on the same session. The engine
 * numbers the requests itself, not by invocationSequenceNumber (free5GC sends 0 in every request):
 * a retry, told by an identical body or by retransmissionIndicator with the last request's
 * sequence number, gets the first answer; anything else is a new request and is charged.
 *
 * <p>No thread waits for the engine: the request is handed over and the handler returns; the
 * engine hands the answers of a whole batch to the server's executor as one task, which writes
 * the responses.
 */
public final class NchfApi extends Handler.Abstract {
    public static final String PATH_PREFIX = "/nchf-convergedcharging/";
    private static final String ROOT = "/nchf-convergedcharging/v3/chargingdata";
    private static final int REF_LENGTH_MAX = 64;

    private final EngineGate engine;
    private final String redirectUrl;
    private final ChargingNotifications notifications;
    private final ChargingTerms terms;

    /**
     * @param engine      the durable charging engine
     * @param redirectUrl where a last grant redirects the subscriber (a top-up portal), or null: terminate
     */
    public NchfApi(EngineGate engine, String redirectUrl) {
        this(engine, redirectUrl, null, ChargingTerms.DEFAULTS);
    }

    /**
     * @param notifications told the rating groups each answered request named, or null
     * @param terms         thresholds, holding time, limits and failure handling the grants carry
     */
    public NchfApi(EngineGate engine, String redirectUrl, ChargingNotifications notifications, ChargingTerms terms) {
        this.engine = engine;
        this.redirectUrl = redirectUrl;
        this.notifications = notifications;
        this.terms = terms;
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
        ChargingDataTranslation.Kind kind;
        String ref;
        if (path.equals(ROOT)) {
            kind = ChargingDataTranslation.Kind.CREATE;
            ref = null;
        } else if (path.startsWith(ROOT + "/") && (path.endsWith("/update") || path.endsWith("/release"))
                && path.lastIndexOf('/') > ROOT.length()) { // .../chargingdata/release names no ref
            kind = path.endsWith("/update") ? ChargingDataTranslation.Kind.UPDATE : ChargingDataTranslation.Kind.RELEASE;
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
        ChargingDataRequest charging = RequestReader.read(body, kind == ChargingDataTranslation.Kind.CREATE);
        byte[] digest = CanonicalJson.digest(body);
        String chargingDataRef = ref != null ? ref : refOf(digest);
        ChargingRequest charge = ChargingDataTranslation.of(charging, kind, chargingDataRef, digestKey(digest));
        Executor answers = request.getComponents().getExecutor();
        ChargingDataTranslation.Kind asked = kind;
        Submission<Void> submitted = engine.submit(new EngineCommand.Charge(charge), answers, (outcome, failure) -> {
            if (failure != null) {
                send(response, callback, NchfProblem.of(500, "CHARGING_FAILED", "the engine stopped: " + failure));
                return;
            }
            respond(request, response, callback, asked, chargingDataRef, charging,
                    ((EngineOutcome.Charged) outcome).result());
        });
        switch (submitted) {
            case Submission.Accepted<Void> accepted -> { }
            case Submission.Busy<Void> busy -> throw new RequestReader.Invalid(NchfProblem.of(503, "NF_CONGESTION",
                    "engine queue full (" + busy.queueMax() + ")"));
            case Submission.Stopped<Void> stopped -> throw new RequestReader.Invalid(NchfProblem.of(503,
                    "NF_CONGESTION", "engine stopped: " + stopped.reason()));
            case Submission.TooLarge<Void> tooLarge -> throw new RequestReader.Invalid(NchfProblem.of(413,
                    "INVALID_MSG_FORMAT", "request of " + tooLarge.bytes() + " bytes exceeds a journal record"));
        }
    }

    private void respond(Request request, Response response, Callback callback, ChargingDataTranslation.Kind kind,
                         String ref, ChargingDataRequest charging, io.credence.charging.ChargingResult result) {
        switch (ChargingDataResponses.of(result.outcome(), kind, charging, redirectUrl, terms,
                result.answeredAtMillis())) {
            case ChargingDataResponses.Refused refused -> send(response, callback, refused.problem());
            case ChargingDataResponses.Charged charged -> {
                if (notifications != null) {
                    notifications.seen(ChargingDataTranslation.sessionId(ref), charging,
                            kind == ChargingDataTranslation.Kind.RELEASE);
                }
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

    /** The engine's retry key: the first 64 bits of the body's canonical digest (0 is "none", so never 0). */
    static long digestKey(byte[] digest) {
        long key = 0;
        for (int i = 0; i < 8; i++) {
            key = (key << 8) | (digest[i] & 0xFF);
        }
        return key == 0 ? 1 : key;
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
