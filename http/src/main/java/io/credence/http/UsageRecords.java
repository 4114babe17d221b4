package io.credence.http;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The usage records (CDRs) the server has written, as the operations API reads them. The HTTP
 * module knows no records file format; the server wires an implementation in.
 */
public interface UsageRecords {
    /** Most records one query returns. */
    int QUERY_LIMIT_MAX = 10_000;

    /** A null field matches everything; {@code from} inclusive, {@code to} exclusive. */
    record Query(String accountId, String sessionId, String service, Instant from, Instant to, int limit) {
        public Query {
            if (limit < 1 || limit > QUERY_LIMIT_MAX) {
                throw new IllegalArgumentException("limit must be 1.." + QUERY_LIMIT_MAX + ", was " + limit);
            }
            if (from != null && to != null && !from.isBefore(to)) {
                throw new IllegalArgumentException("from must be before to");
            }
        }
    }

    /** Matching records, oldest first, each a JSON-ready map, at most {@code query.limit()}. */
    List<Map<String, Object>> query(Query query) throws IOException;

    /** No records at all: for a server that writes none. */
    UsageRecords NONE = query -> List.of();
}
