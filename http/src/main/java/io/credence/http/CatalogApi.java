package io.credence.http;

import io.credence.charging.EngineCommand;
import io.credence.rating.RatingEngine;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static io.credence.http.RequestInputs.body;
import static io.credence.http.Routes.methodNotAllowed;
import static io.credence.http.Routes.notFound;
import static io.credence.http.Routes.only;

/**
 * {@code GET /v1/catalog}, {@code PUT /v1/catalog}, {@code POST /v1/catalog/reload},
 * {@code POST /v1/catalog/check}, {@code POST /v1/catalog/quote}, {@code GET /v1/catalog/packages},
 * {@code GET /v1/catalog/tariffs}, {@code GET /v1/catalog/rules}: the rating catalog in force, what
 * it would charge, and loading a new one from its file or from an upload.
 *
 * <p>An upload ({@code PUT /v1/catalog}, {@code POST /v1/catalog/check}) is the catalog file's
 * text itself, up to {@link #CATALOG_BYTES_MAX} bytes rather than the API's 64 KiB: the bound of a
 * catalog the engine puts in force (one journal record). A refusal is {@code 422 catalog-refused}
 * with {@code line} and {@code column} members (from 1) when it has a place.
 */
final class CatalogApi {
    /** Largest catalog upload: the engine's bound on a catalog's source (larger: 413 before parsing). */
    static final int CATALOG_BYTES_MAX = EngineCommand.InstallCatalog.SOURCE_BYTES_MAX;
    /**
     * How much of a too large upload is read and dropped before the 413, so that a client still
     * sending it (a browser, or one that got 100 Continue) reads the answer instead of a reset
     * connection; past this the connection is closed under it.
     */
    static final int DISCARDED_BYTES_MAX = 4 * CATALOG_BYTES_MAX;

    private final CatalogControl catalog;

    CatalogApi(CatalogControl catalog) {
        this.catalog = catalog;
    }

    Reply route(Request request, String method, String[] path) {
        if (path.length == 3) {
            return switch (method) {
                case "GET" -> catalog.current().map(c -> Reply.json(200, c)).orElseThrow(
                        () -> new ApiError(404, "no-catalog", null, "the server runs without a catalog (serve --catalog FILE)"));
                case "PUT" -> answer(catalog.apply(upload(request)));
                default -> throw methodNotAllowed("GET, PUT");
            };
        }
        if (path.length == 4 && path[3].equals("check")) {
            return only(method, "POST", () -> switch (catalog.check(upload(request))) {
                case CatalogControl.Reload.Loaded valid -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("valid", true);
                    body.putAll(valid.catalog());
                    yield Reply.json(200, body);
                }
                case CatalogControl.Reload.Refused refused -> refusal(refused);
            });
        }
        if (path.length == 4 && path[3].equals("quote")) {
            return only(method, "POST", () -> Reply.json(200, RatingQuote.quote(catalog.engine().orElseThrow(
                    () -> new ApiError(404, "no-catalog", null, "the server runs without a catalog (serve --catalog FILE)")),
                    body(request), System.currentTimeMillis())));
        }
        if (path.length == 4 && path[3].equals("packages")) {
            return only(method, "GET", () -> Reply.json(200, Packages.list(inForce(catalog).catalog())));
        }
        if (path.length == 4 && path[3].equals("tariffs")) {
            return only(method, "GET", () -> Reply.json(200, CatalogViews.tariffs(inForce(catalog).catalog())));
        }
        if (path.length == 4 && path[3].equals("rules")) {
            return only(method, "GET", () -> Reply.json(200, CatalogViews.rules(inForce(catalog).catalog())));
        }
        if (path.length == 4 && path[3].equals("reload")) {
            return only(method, "POST", () -> answer(catalog.reload()));
        }
        throw notFound(request);
    }

    /** A reload's or an applied upload's answer: the catalog now in force, or why it was refused. */
    private static Reply answer(CatalogControl.Reload reload) {
        return switch (reload) {
            case CatalogControl.Reload.Loaded loaded -> Reply.json(200, loaded.catalog());
            case CatalogControl.Reload.Refused refused -> refusal(refused);
        };
    }

    /** {@code 422 catalog-refused}, field {@code catalog}, with {@code line} and {@code column} when known. */
    private static Reply refusal(CatalogControl.Reload.Refused refused) {
        Problem problem = Problem.of(new ApiError(422, "catalog-refused", "catalog", refused.reason()));
        Map<String, Object> where = new LinkedHashMap<>();
        if (refused.line() > 0) {
            where.put("line", refused.line());
            if (refused.column() > 0) {
                where.put("column", refused.column());
            }
        }
        return Reply.problem(new Problem(problem.status(), problem.type(), problem.title(), problem.detail(),
                problem.field(), where));
    }

    /**
     * An uploaded catalog: the body as sent, JSON or no content type, at most
     * {@link #CATALOG_BYTES_MAX} bytes (413 past that, 415 for another content type). Not parsed
     * here: the catalog's own reader does, naming lines.
     */
    static byte[] upload(Request request) {
        String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (contentType != null && !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new ApiError(415, "unsupported-media-type", null, "send the catalog as application/json, not "
                    + contentType);
        }
        long declared = request.getLength();
        try (InputStream in = Content.Source.asInputStream(request)) {
            if (declared > CATALOG_BYTES_MAX) {
                if (declared <= DISCARDED_BYTES_MAX) {
                    discard(in, declared);
                }
                throw new ApiError(413, "too-large", null, "a catalog of " + declared + " bytes exceeds "
                        + CATALOG_BYTES_MAX + " (the bound of a catalog put in force)");
            }
            byte[] bytes = in.readNBytes(CATALOG_BYTES_MAX + 1);
            if (bytes.length > CATALOG_BYTES_MAX) {
                discard(in, DISCARDED_BYTES_MAX - bytes.length);
                throw new ApiError(413, "too-large", null, "a catalog exceeds " + CATALOG_BYTES_MAX
                        + " bytes (the bound of a catalog put in force)");
            }
            return bytes;
        } catch (IOException unreadable) {
            throw new ApiError(400, "malformed-json", null, "body could not be read: " + unreadable.getMessage());
        }
    }

    /** Reads and drops at most {@code bytes} more of a body (it may end sooner). */
    private static void discard(InputStream in, long bytes) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        long left = bytes;
        while (left > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (read < 0) {
                return;
            }
            left -= read;
        }
    }

    /** The rating engine of the catalog in force; 404 when the server runs without one. */
    static RatingEngine inForce(CatalogControl catalog) {
        return catalog.engine().orElseThrow(
                () -> new ApiError(404, "no-catalog", null, "the server runs without a catalog (serve --catalog FILE)"));
    }
}
