package io.credence.http;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The routes of the HTTP port as the OpenAPI document lists them ({@code /openapi.json}, a
 * resource of this module): the one list that metrics label requests by, so a label is always
 * a template ({@code /v1/accounts/{accountId}}) and never a raw path.
 */
public final class RouteTemplates {
    /** The label of a request that matches no documented route. */
    public static final String UNMATCHED = "unmatched";

    private static final byte[] DOCUMENT = load();
    private static final RouteTemplates DOCUMENTED = new RouteTemplates(parse(DOCUMENT));

    private record Template(String text, String[] segments, int literals) {}

    private final List<Template> templates;
    private final Map<String, Set<String>> methods;

    private RouteTemplates(Map<String, Set<String>> methods) {
        this.methods = methods;
        List<Template> list = new ArrayList<>();
        for (String path : methods.keySet()) {
            String[] segments = path.split("/");
            int literals = 0;
            for (String s : segments) {
                literals += s.startsWith("{") ? 0 : 1;
            }
            list.add(new Template(path, segments, literals));
        }
        // where a literal and a parameter could both match (/v1/admissions/pools), the literal wins
        list.sort((a, b) -> Integer.compare(b.literals(), a.literals()));
        this.templates = List.copyOf(list);
    }

    public static RouteTemplates documented() {
        return DOCUMENTED;
    }

    /** The OpenAPI document's bytes as served. */
    public static byte[] document() {
        return DOCUMENT.clone();
    }

    /** Documented path templates and the methods of each. */
    public Map<String, Set<String>> methods() {
        return methods;
    }

    /** The template {@code rawPath} matches, or {@link #UNMATCHED}. */
    public String match(String rawPath) {
        return match(rawPath, null);
    }

    /**
     * The template {@code rawPath} matches, preferring one that documents {@code method}
     * ({@code DELETE /v1/admissions/pools} ends the admission named "pools"), or {@link #UNMATCHED}.
     */
    public String match(String rawPath, String method) {
        String[] segments = rawPath.split("/", -1);
        String first = UNMATCHED;
        for (Template t : templates) {
            if (matches(t.segments(), segments)) {
                if (method == null || methods.get(t.text()).contains(method)) {
                    return t.text();
                }
                first = first.equals(UNMATCHED) ? t.text() : first;
            }
        }
        return first;
    }

    private static boolean matches(String[] template, String[] path) {
        if (template.length != path.length) {
            return false;
        }
        for (int i = 0; i < template.length; i++) {
            boolean parameter = template[i].startsWith("{");
            if (parameter ? path[i].isEmpty() : !template[i].equals(path[i])) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Set<String>> parse(byte[] document) {
        Map<String, Set<String>> out = new TreeMap<>();
        try {
            JsonNode paths = JsonBody.MAPPER.readTree(document).path("paths");
            for (Map.Entry<String, JsonNode> path : paths.properties()) {
                Set<String> verbs = new TreeSet<>();
                path.getValue().fieldNames().forEachRemaining(name -> {
                    if (Set.of("get", "put", "post", "delete", "patch", "head", "options").contains(name)) {
                        verbs.add(name.toUpperCase(java.util.Locale.ROOT));
                    }
                });
                out.put(path.getKey(), Set.copyOf(verbs));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("openapi.json in the jar does not parse", e);
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("openapi.json in the jar lists no paths");
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    private static byte[] load() {
        try (InputStream in = RouteTemplates.class.getResourceAsStream("/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the http module's resources");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
