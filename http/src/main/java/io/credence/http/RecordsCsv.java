package io.credence.http;

import java.util.Map;

/** Usage records as a CSV file ({@code GET /v1/records?format=csv}), for a spreadsheet or a billing import. */
public final class RecordsCsv {
    private RecordsCsv() {}

    /**
     * RFC 4180: a header of every field any record has, in the order first seen, then one line
     * per record; a nested value (the grant, the rating) is its JSON text in one field. A field
     * starting with = + - @ gets a leading apostrophe, so a spreadsheet does not run it as a formula.
     */
    public static String of(java.util.List<Map<String, Object>> records) {
        java.util.LinkedHashSet<String> columns = new java.util.LinkedHashSet<>();
        records.forEach(r -> columns.addAll(r.keySet()));
        StringBuilder out = new StringBuilder();
        out.append(String.join(",", columns.stream().map(RecordsCsv::csvField).toList())).append("\r\n");
        for (Map<String, Object> record : records) {
            java.util.List<String> fields = new java.util.ArrayList<>(columns.size());
            for (String column : columns) {
                Object value = record.get(column);
                fields.add(csvField(value == null ? "" : value instanceof Map<?, ?> || value instanceof java.util.Collection<?>
                        ? json(value) : String.valueOf(value)));
            }
            out.append(String.join(",", fields)).append("\r\n");
        }
        return out.toString();
    }

    private static String json(Object value) {
        try {
            return JsonBody.MAPPER.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static String csvField(String text) {
        String safe = !text.isEmpty() && "=+-@".indexOf(text.charAt(0)) >= 0 && !text.matches("-?[0-9.]+")
                ? "'" + text : text;
        return safe.contains(",") || safe.contains("\"") || safe.contains("\n") || safe.contains("\r")
                ? "\"" + safe.replace("\"", "\"\"") + "\"" : safe;
    }

}
