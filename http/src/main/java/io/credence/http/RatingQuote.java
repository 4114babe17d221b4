package io.credence.http;

import io.credence.rating.NetworkType;
import io.credence.rating.RatingEngine;
import io.credence.rating.RatingRequest;
import io.credence.rating.Tariff;
import io.credence.rating.Terminal;
import io.credence.rating.TerminalType;
import io.credence.rating.TerminalTypes;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /v1/catalog/quote}: what the catalog in force decides for a call or a session
 * described by explicit attributes — the same rules credit control applies to what it reads from
 * Diameter AVPs. Nothing is reserved or charged.
 *
 * <pre>{"service": "voice", "units": 120, "at": "2026-11-24T20:00:00Z", "outlet": "trunk-international",
 *  "calling": {"network": "LTE", "terminal": "PHONE", "roaming": false, "imei": "...", "userAgent": "..."},
 *  "called": {"network": "WIFI"}}</pre>
 * A terminal's type may be given, or found from its IMEI or User-Agent by the catalog's table.
 */
final class RatingQuote {
    private static final long UNITS_MAX = 1L << 40;

    private RatingQuote() {}

    static Map<String, Object> quote(RatingEngine engine, JsonBody body, long nowMillis) {
        String service = body.requiredString("service");
        if (!engine.catalog().services().containsKey(service)) {
            throw new ApiError("service", "no service '" + service + "' in catalog " + engine.catalog().version()
                    + "; one of " + engine.catalog().services().keySet());
        }
        long units = body.optionalLong("units", 0, UNITS_MAX, 0);
        long at = body.optionalInstantMillis("at", nowMillis);
        String outlet = body.optionalString("outlet");
        TerminalTypes table = engine.catalog().terminalTypes();
        Terminal calling = terminal(body.optionalObject("calling"), table);
        Terminal called = terminal(body.optionalObject("called"), table);
        body.rejectUnknownFields();

        RatingRequest request = new RatingRequest(service, calling, called, outlet, at);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("catalogVersion", engine.catalog().version());
        out.put("service", service);
        out.put("calling", view(request.calling()));
        out.put("called", view(request.called()));
        switch (engine.rate(request)) {
            case RatingEngine.Decision.Charged c -> {
                out.put("decision", "CHARGED");
                out.put("rule", c.rule().name());
                out.put("tariff", c.tariff().id());
                out.put("band", c.band());
                out.put("units", units);
                out.put("price", price(c.tariff(), c.band(), units));
                out.put("currency", engine.catalog().currency());
            }
            case RatingEngine.Decision.Free f -> {
                out.put("decision", "FREE");
                out.put("rule", f.rule().name());
                out.put("units", units);
                out.put("price", 0);
                out.put("currency", engine.catalog().currency());
            }
            case RatingEngine.Decision.Denied d -> {
                out.put("decision", "DENIED");
                out.put("rule", d.rule().name());
                out.put("reason", d.reason());
            }
            case RatingEngine.Decision.Unrated u -> throw new ApiError(422, "unrated", "service", u.reason());
        }
        out.put("outlet", outlet);
        out.put("outletPolicy", engine.outlet(outlet).toString());
        return out;
    }

    private static long price(Tariff tariff, String band, long units) {
        try {
            return tariff.price(units, band);
        } catch (ArithmeticException overflow) {
            throw new ApiError("units", "the price of " + units + " units overflows");
        }
    }

    private static Terminal terminal(JsonBody t, TerminalTypes table) {
        if (t == null) {
            return Terminal.UNKNOWN;
        }
        NetworkType network = t.optionalEnum("network", NetworkType.class);
        TerminalType type = t.optionalEnum("terminal", TerminalType.class);
        String imei = t.optionalString("imei");
        String userAgent = t.optionalString("userAgent");
        boolean roamingGiven = t.has("roaming");
        Boolean roaming = roamingGiven ? t.optionalBoolean("roaming", false) : null;
        t.rejectUnknownFields();
        if (imei != null && !imei.matches("[0-9]{8,16}")) {
            throw t.invalid("imei", "must be 8 to 16 digits (its first 8 are the TAC)");
        }
        if (type == null) {
            type = table.classify(imei, userAgent);
        }
        return new Terminal(network, type, roaming);
    }

    private static Map<String, Object> view(Terminal t) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("network", t.network());
        out.put("terminal", t.type());
        out.put("roaming", t.roaming());
        return out;
    }
}
