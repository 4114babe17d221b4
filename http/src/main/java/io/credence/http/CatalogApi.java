package io.credence.http;

import io.credence.rating.RatingEngine;
import org.eclipse.jetty.server.Request;

import static io.credence.http.RequestInputs.body;
import static io.credence.http.Routes.notFound;
import static io.credence.http.Routes.only;

/**
 * {@code GET /v1/catalog}, {@code POST /v1/catalog/reload}, {@code POST /v1/catalog/quote},
 * {@code GET /v1/catalog/packages}, {@code GET /v1/catalog/tariffs}, {@code GET /v1/catalog/rules}:
 * the rating catalog in force, what it would charge, and loading a new one.
 */
final class CatalogApi {
    private final CatalogControl catalog;

    CatalogApi(CatalogControl catalog) {
        this.catalog = catalog;
    }

    Reply route(Request request, String method, String[] path) {
        if (path.length == 3) {
            return only(method, "GET", () -> catalog.current().map(c -> Reply.json(200, c)).orElseThrow(
                    () -> new ApiError(404, "no-catalog", null, "the server runs without a catalog (serve --catalog FILE)")));
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
            return only(method, "POST", () -> switch (catalog.reload()) {
                case CatalogControl.Reload.Loaded loaded -> Reply.json(200, loaded.catalog());
                case CatalogControl.Reload.Refused refused ->
                        throw new ApiError(422, "catalog-refused", "catalog", refused.reason());
            });
        }
        throw notFound(request);
    }

    /** The rating engine of the catalog in force; 404 when the server runs without one. */
    static RatingEngine inForce(CatalogControl catalog) {
        return catalog.engine().orElseThrow(
                () -> new ApiError(404, "no-catalog", null, "the server runs without a catalog (serve --catalog FILE)"));
    }
}
