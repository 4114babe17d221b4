package io.credence.http;

import io.credence.ledger.Ids;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;

import static io.credence.http.RequestInputs.queryLong;

/**
 * {@code GET /v1/records?account=&session=&service=&from=&to=&limit=&format=}: usage records, oldest
 * first, as JSON or ({@code format=csv}) as a CSV file for a spreadsheet.
 */
final class RecordsApi {
    static final int RECORDS_PAGE_DEFAULT = 100;
    private static final int QUERY_TEXT_LENGTH_MAX = 256;

    private final UsageRecords records;

    RecordsApi(UsageRecords records) {
        this.records = records;
    }

    Reply list(Request request) {
        Fields query = Request.extractQueryParameters(request);
        String account = query.getValue("account");
        if (account != null && Ids.accountIdProblem(account) != null) {
            throw new ApiError("account", "query parameter " + Ids.accountIdProblem(account));
        }
        String session = queryText(query, "session");
        String service = queryText(query, "service");
        Instant from = queryInstant(query, "from");
        Instant to = queryInstant(query, "to");
        if (from != null && to != null && !from.isBefore(to)) {
            throw new ApiError("to", "query parameter must be after from");
        }
        int limit = (int) queryLong(query, "limit", 1, UsageRecords.QUERY_LIMIT_MAX, RECORDS_PAGE_DEFAULT);
        String format = query.getValue("format");
        if (format != null && !format.equals("json") && !format.equals("csv")) {
            throw new ApiError("format", "query parameter must be json or csv");
        }
        try {
            java.util.List<Map<String, Object>> found =
                    records.query(new UsageRecords.Query(account, session, service, from, to, limit));
            if ("csv".equals(format)) {
                return new Reply(200, "text/csv; charset=utf-8; header=present", RecordsCsv.of(found).getBytes(
                        java.nio.charset.StandardCharsets.UTF_8), Map.of("Content-Disposition",
                        "attachment; filename=\"usage-records.csv\""));
            }
            return Reply.json(200, Map.of("records", found));
        } catch (IOException | UncheckedIOException unreadable) {
            throw new ApiError(503, "records-unreadable", null, "the records files cannot be read: "
                    + unreadable.getMessage());
        }
    }

    private static String queryText(Fields query, String name) {
        String value = query.getValue(name);
        if (value != null && (value.isEmpty() || value.length() > QUERY_TEXT_LENGTH_MAX)) {
            throw new ApiError(name, "query parameter must be 1.." + QUERY_TEXT_LENGTH_MAX + " characters");
        }
        return value;
    }

    /** ISO-8601 with an offset: a bare local time would mean different things on different hosts. */
    private static Instant queryInstant(Fields query, String name) {
        String value = query.getValue(name);
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException notATime) {
            throw new ApiError(name, "query parameter must be an ISO-8601 time with offset, like 2026-11-24T10:00:00Z");
        }
    }
}
