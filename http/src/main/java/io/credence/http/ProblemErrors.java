package io.credence.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * The server's error handler ({@code Server.setErrorHandler}): every answer Jetty makes itself is
 * an RFC 9457 problem document like the API's own, not an HTML page. Jetty calls it for a request
 * it refuses before any handler sees it (a bad request line, percent-encoding or header, a header
 * block over the limit: 400, 414, 431, 505, from the HTTP/1.1 parser and an HTTP/2 stream alike),
 * for a request no handler took (404) and for a handler that threw (500). The detail names what is
 * wrong in the request, from Jetty's reason and its cause; a 500 names no internal exception (Jetty
 * logs it). Over HTTP/2 a header block past the advertised SETTINGS_MAX_HEADER_LIST_SIZE is a
 * connection error (Jetty sends GOAWAY): no answer exists there to carry a document.
 */
public final class ProblemErrors implements Request.Handler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        String message = (String) request.getAttribute(ErrorHandler.ERROR_MESSAGE);
        Throwable cause = (Throwable) request.getAttribute(ErrorHandler.ERROR_EXCEPTION);
        if (cause instanceof HttpException http) {
            status = http.getCode();
            if (message == null) {
                message = http.getReason();
            }
        }
        if (status < 400 || status > 599) {
            status = HttpStatus.INTERNAL_SERVER_ERROR_500; // an error without an error status: ours
        }
        response.setStatus(status);
        response.getHeaders().put(ErrorHandler.ERROR_CACHE_CONTROL);
        if (HttpStatus.hasNoBody(status)) {
            callback.succeeded();
            return true;
        }
        Problem problem = problem(request, status, message, cause);
        byte[] body;
        try {
            body = JsonBody.MAPPER.writeValueAsBytes(problem.body());
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException("maps of plain values always serialise", impossible);
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    static Problem problem(Request request, int status, String message, Throwable cause) {
        int headerBytes = request.getConnectionMetaData().getHttpConfiguration().getRequestHeaderSize();
        String reason = message == null ? "" : message;
        String root = rootMessage(cause);
        return switch (status) {
            case 431 -> titled(431, "header-fields-too-large", "the request's header fields are larger than the "
                    + headerBytes + " bytes the server reads; send fewer or shorter headers");
            case 414 -> titled(414, "uri-too-long", "the request line (method, path and query) is longer than the "
                    + headerBytes + " bytes the server reads");
            case 413 -> Problem.of(413, "too-large", "the request is larger than the server accepts: " + reason);
            case 505 -> titled(505, "http-version-not-supported", "the server speaks HTTP/1.0, HTTP/1.1 and HTTP/2, "
                    + "not what the request line names (" + reason + ")");
            case 500 -> Problem.of(500, "internal-error", "the server failed while handling " + request.getMethod()
                    + " " + request.getHttpURI().getPath() + "; nothing is acknowledged, and the server's log has "
                    + "the cause");
            case 404 -> Problem.of(404, "not-found", "no resource at " + request.getHttpURI().getPath());
            case 400 -> badRequest(reason, root);
            default -> titled(status, typeOf(status), HttpStatus.getMessage(status)
                    + (reason.isEmpty() ? "" : ": " + reason) + (root == null ? "" : " (" + root + ")"));
        };
    }

    /**
     * Jetty's reasons for a 400 say what rule broke, not where: said here in the request's terms.
     * A reason this table does not know is passed on as Jetty gives it.
     */
    private static Problem badRequest(String reason, String root) {
        String rootText = root == null ? "" : root;
        if (rootText.startsWith("!hex")) {
            return path("the request URI has a '%' not followed by two hex digits (a literal '%' is sent as %25)");
        }
        if (rootText.contains("Illegal character in path")) {
            return path("the request URI holds a character a path may not: a control character (also "
                    + "percent-encoded, like %00), a space or a non-ASCII byte; percent-encode UTF-8 text");
        }
        if (rootText.equals("Bad URI") || rootText.contains("Relative path")) {
            return path("the request target is not an absolute path (or its '..' segments climb above the root)");
        }
        return switch (reason) {
            case "Ambiguous URI empty segment" -> path("the path has an empty segment ('//'): each segment is one "
                    + "name, and URL normalisers merge doubled slashes, so the request would not mean one thing");
            case "Ambiguous URI path segment" -> path("the path has a '.' or '..' segment sent percent-encoded "
                    + "(%2E): URL normalisers resolve it, so it names no resource and no id may be '.' or '..'");
            case "Bad UTF-8 encoding" -> path("the path's percent-encoded bytes are not UTF-8");
            case "Illegal Path Character", "Suspicious Path Character", "Suspicious Path Character, Illegal Path Character"
                    -> path("the path holds a character that must be percent-encoded (a backslash, a control "
                    + "character or a non-ASCII byte)");
            case "No URI" -> malformed("the request line has no URI (expected 'METHOD /path HTTP/1.1')");
            case "No Host" -> malformed("the request has no Host header, which HTTP/1.1 requires");
            case "Duplicate Host Header" -> malformed("the request has more than one Host header");
            case "Authority!=Host" -> malformed("the request target names another host than its Host header");
            case "Invalid Content-Length Value" -> malformed("the Content-Length header is not a non-negative number");
            case "Duplicate Content-Lengths" -> malformed("the request has two different Content-Length headers");
            case "Transfer-Encoding and Content-Length" -> malformed("the request has both Transfer-Encoding and "
                    + "Content-Length; send one");
            default -> malformed(reason.startsWith("Illegal character")
                    ? "the request has a character where HTTP allows none (" + reason + "), such as a space in a "
                            + "header name or a control character"
                    : "the request is malformed: " + (reason.isEmpty() ? "Bad Request" : reason)
                            + (root == null || root.equals(reason) ? "" : " (" + root + ")"));
        };
    }

    /** With HTTP's own reason phrase as the title ("URI Too Long", not "Uri too long"). */
    private static Problem titled(int status, String type, String detail) {
        return new Problem(status, type, HttpStatus.getMessage(status), detail, null, java.util.Map.of());
    }

    private static Problem path(String detail) {
        return Problem.of(400, "malformed-path", detail);
    }

    private static Problem malformed(String detail) {
        return Problem.of(400, "malformed-request", detail);
    }

    /** The innermost cause's message: where Jetty keeps the detail of a URI it could not parse. */
    private static String rootMessage(Throwable cause) {
        String message = null;
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !(t instanceof HttpException)) {
                message = t.getMessage();
            }
        }
        return message;
    }

    private static String typeOf(int status) {
        String words = HttpStatus.getMessage(status);
        return words == null ? "http-" + status : words.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    }
}
