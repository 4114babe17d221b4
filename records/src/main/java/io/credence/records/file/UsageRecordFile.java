package io.credence.records.file;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The records file format: names of the files, and the JSON codec for one line.
 *
 * <pre>
 * &lt;dir&gt;/usage-20261124-223619-123-000042.jsonl      created (UTC) - sequence number
 *
 * {"recordId":"r1","atMillis":1764023779123,"accountId":"alice",...,"requestIds":["r1"]}\n
 * {"recordId":"r2",...}\n
 * {"recordId":"r3","atMi                                    &lt;- torn: no '\n', skipped and reported
 * </pre>
 *
 * One compact JSON object per line, UTF-8, fields in the record's order with the record's names,
 * units by name, absent values as {@code null}. A line counts only once its {@code '\n'} is there,
 * so a process killed mid-write leaves a torn tail that readers skip rather than misread. Files
 * sort by sequence number (then name), which keeps them in writing order even if the wall clock
 * stepped back between two files.
 */
public final class UsageRecordFile {
    public static final String PREFIX = "usage-";
    public static final String SUFFIX = ".jsonl";
    static final Pattern NAME = Pattern.compile("usage-(\\d{8}-\\d{6}-\\d{3})-(\\d{6,18})\\.jsonl");
    private static final DateTimeFormatter CREATED =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** A line that is not a valid usage record: the reason names the field. */
    public static final class Invalid extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Invalid(String reason, Throwable cause) {
            super(reason, cause);
        }
    }

    private UsageRecordFile() {}

    /** @return the file name for a file created at {@code created} with sequence number {@code sequence} */
    public static String fileName(Instant created, long sequence) {
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0, was " + sequence);
        }
        return PREFIX + CREATED.format(created) + "-" + String.format("%06d", sequence) + SUFFIX;
    }

    /** @return the sequence number in a records file name, or -1 when the name is not one of ours */
    public static long sequence(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(2)) : -1;
    }

    /** @return the records files in {@code dir}, oldest first; other files are left alone */
    public static List<Path> list(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            for (Path p : entries) {
                if (sequence(p) >= 0 && Files.isRegularFile(p)) {
                    files.add(p);
                }
            }
        }
        files.sort(Comparator.comparingLong(UsageRecordFile::sequence)
                .thenComparing(p -> p.getFileName().toString()));
        return files;
    }

    /** @return the record as one line of UTF-8 JSON, with its {@code '\n'} */
    public static byte[] encodeLine(UsageRecord r) {
        try {
            byte[] json = JSON.writeValueAsBytes(toJson(r));
            byte[] line = new byte[json.length + 1];
            System.arraycopy(json, 0, line, 0, json.length);
            line[json.length] = '\n';
            return line;
        } catch (JsonProcessingException e) {
            // A tree of strings and numbers always serialises; failing here is a bug, not bad input.
            throw new UncheckedIOException(e);
        }
    }

    /** @return the record as compact JSON, without a line end */
    public static String toJsonString(UsageRecord r) {
        byte[] line = encodeLine(r);
        return new String(line, 0, line.length - 1, StandardCharsets.UTF_8);
    }

    static ObjectNode toJson(UsageRecord r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("recordId", r.recordId());
        o.put("atMillis", r.atMillis());
        o.put("accountId", r.accountId());
        o.put("origin", r.origin());
        o.put("sessionId", r.sessionId());
        o.put("service", r.service());
        o.put("ratingGroup", r.ratingGroup());
        ObjectNode attributes = o.putObject("attributes");
        r.attributes().forEach(attributes::put);
        o.put("rule", r.rule());
        o.put("tariff", r.tariff());
        o.put("decision", r.decision());
        o.put("unit", r.unit().name());
        o.put("rawUnits", r.rawUnits());
        o.put("effectiveUnits", r.effectiveUnits());
        o.put("price", r.price());
        o.put("currency", r.currency());
        ArrayNode balances = o.putArray("balances");
        for (UsageRecord.BalanceChange b : r.balances()) {
            balances.addObject().put("accountId", b.accountId()).put("unit", b.unit().name()).put("amount", b.amount());
        }
        ArrayNode requestIds = o.putArray("requestIds");
        r.requestIds().forEach(requestIds::add);
        return o;
    }

    /**
     * Reads one line (without its {@code '\n'}). Unknown fields are ignored, so files written by a
     * newer version that added a field still read; a missing or mistyped known field is refused.
     *
     * @throws Invalid naming the field when the line is not a usage record
     */
    public static UsageRecord decode(byte[] line, int length) {
        JsonNode node;
        try {
            node = JSON.readTree(line, 0, length);
        } catch (JsonProcessingException e) {
            throw new Invalid("not JSON: " + e.getOriginalMessage(), null);
        } catch (IOException e) {
            // Reading from a byte array does no I/O; Jackson only declares it.
            throw new UncheckedIOException(e);
        }
        if (node == null || !node.isObject()) {
            throw new Invalid("not a JSON object", null);
        }
        try {
            return fromJson(node);
        } catch (Invalid e) {
            throw e;
        } catch (IllegalArgumentException e) {
            // The record's own validation: its message already names the field.
            throw new Invalid(e.getMessage(), e);
        }
    }

    public static UsageRecord decode(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return decode(bytes, bytes.length);
    }

    private static UsageRecord fromJson(JsonNode o) {
        Map<String, String> attributes = new LinkedHashMap<>();
        JsonNode a = field(o, "attributes", true);
        if (a != null) {
            if (!a.isObject()) {
                throw new Invalid("attributes must be an object", null);
            }
            for (Map.Entry<String, JsonNode> e : a.properties()) {
                if (!e.getValue().isTextual()) {
                    throw new Invalid("attributes." + e.getKey() + " must be a string", null);
                }
                attributes.put(e.getKey(), e.getValue().textValue());
            }
        }
        List<UsageRecord.BalanceChange> balances = new ArrayList<>();
        for (JsonNode b : array(o, "balances")) {
            if (!b.isObject()) {
                throw new Invalid("balances must hold objects", null);
            }
            balances.add(new UsageRecord.BalanceChange(text(b, "balances.accountId", "accountId", false),
                    unit(b, "balances.unit", "unit"), number(b, "balances.amount", "amount")));
        }
        List<String> requestIds = new ArrayList<>();
        for (JsonNode id : array(o, "requestIds")) {
            if (!id.isTextual()) {
                throw new Invalid("requestIds must hold strings", null);
            }
            requestIds.add(id.textValue());
        }
        return new UsageRecord(text(o, "recordId"), number(o, "atMillis"), text(o, "accountId"), text(o, "origin"),
                nullableText(o, "sessionId"), text(o, "service"), number(o, "ratingGroup"), attributes,
                nullableText(o, "rule"), nullableText(o, "tariff"), text(o, "decision"), unit(o, "unit", "unit"),
                number(o, "rawUnits"), number(o, "effectiveUnits"), number(o, "price"), nullableText(o, "currency"),
                balances, requestIds);
    }

    private static JsonNode field(JsonNode o, String name, boolean nullable) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) {
            if (!nullable) {
                throw new Invalid(name + " is missing", null);
            }
            return null;
        }
        return v;
    }

    private static String text(JsonNode o, String name) {
        return text(o, name, name, false);
    }

    private static String nullableText(JsonNode o, String name) {
        return text(o, name, name, true);
    }

    private static String text(JsonNode o, String label, String name, boolean nullable) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) {
            if (!nullable) {
                throw new Invalid(label + " is missing", null);
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new Invalid(label + " must be a string", null);
        }
        return v.textValue();
    }

    private static long number(JsonNode o, String name) {
        return number(o, name, name);
    }

    private static long number(JsonNode o, String label, String name) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) {
            throw new Invalid(label + " is missing", null);
        }
        // canConvertToLong refuses 1e30 and 2.5 would be truncated: only integral longs pass.
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new Invalid(label + " must be an integer that fits a long", null);
        }
        return v.longValue();
    }

    private static Unit unit(JsonNode o, String label, String name) {
        String text = text(o, label, name, false);
        try {
            return Unit.valueOf(text);
        } catch (IllegalArgumentException e) {
            throw new Invalid(label + " is not a unit: " + text, null);
        }
    }

    private static Iterable<JsonNode> array(JsonNode o, String name) {
        JsonNode v = field(o, name, true);
        if (v == null) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new Invalid(name + " must be an array", null);
        }
        return v;
    }

    /**
     * The record file that comes after {@code file} in {@code files} (oldest first), or null. A
     * file that is gone (removed by retention) is placed by its sequence number, so a reader
     * carries on with the first file that sorts after it.
     */
    public static Path after(List<Path> files, Path file) {
        int i = files.indexOf(file);
        if (i >= 0) {
            return i + 1 < files.size() ? files.get(i + 1) : null;
        }
        long sequence = sequence(file);
        for (Path f : files) {
            if (sequence(f) > sequence) {
                return f;
            }
        }
        return null;
    }
}
