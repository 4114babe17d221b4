package io.credence.nchf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

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
 * <p>The ChargingDataRef is a digest of the create request (less retransmissionIndicator), so a
 * create the consumer retries lands on the same session and gets the first answer; an update or
 * release retried with the same invocationSequenceNumber gets its first answer likewise.
 */
public final class NchfApi extends Handler.Abstract {
    public static final String PATH_PREFIX = "/nchf-convergedcharging/";
    private static final String ROOT = "/nchf-convergedcharging/v3/chargingdata";
    /** The engine answers every request within the ledger's own timeout; this only guards against a bug. */
    private static final long ANSWER_TIMEOUT_SECONDS = 60;
    private static final int REF_LENGTH_MAX = 64;

    private final ApplicationHandler creditControl;
    private final String realm;
    private final LocalPeer peer = new LocalPeer();
    private final AtomicLong endToEnd = new AtomicLong();

    /**
     * @param creditControl the credit-control engine (a running {@code CreditControlServer})
     * @param realm         its Origin-Realm, the CCRs' Destination-Realm
     */
    public NchfApi(ApplicationHandler creditControl, String realm) {
        this.creditControl = creditControl;
        this.realm = realm;
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
        if (ref == null) {
            ref = refOf(body);
        }
        int type = switch (kind) {
            case CREATE -> Codes.INITIAL_REQUEST;
            case UPDATE -> Codes.UPDATE_REQUEST;
            case RELEASE -> Codes.TERMINATION_REQUEST;
        };
        DiameterMessage cca = charge(CcrMapping.ccr(charging, type, ref, realm, endToEnd.incrementAndGet() & 0xFFFF_FFFFL));
        switch (CcaMapping.map(cca, kind, charging)) {
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

    private DiameterMessage charge(DiameterMessage ccr) {
        try {
            return creditControl.handle(ccr, peer).toCompletableFuture().get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException late) {
            throw new RequestReader.Invalid(NchfProblem.of(503, "NF_CONGESTION", "credit control did not answer: " + late));
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new RequestReader.Invalid(NchfProblem.of(503, "NF_CONGESTION", "interrupted while charging"));
        }
    }

    /** 22 characters of base64url SHA-256 over the create body without its retransmissionIndicator. */
    static String refOf(ObjectNode createBody) {
        ObjectNode copy = createBody.deepCopy();
        copy.remove("retransmissionIndicator");
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(RequestReader.MAPPER.writeValueAsBytes(copy));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 16));
        } catch (NoSuchAlgorithmException | JsonProcessingException impossible) {
            throw new IllegalStateException("SHA-256 and a parsed tree always work", impossible);
        }
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
