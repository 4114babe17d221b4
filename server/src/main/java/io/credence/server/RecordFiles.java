package io.credence.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.http.UsageRecords;
import io.credence.records.UsageRecord;
import io.credence.records.file.RecordReader;
import io.credence.records.file.UsageRecordFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code GET /v1/records} over the records files the server writes: each query reads the files
 * afresh with a {@link RecordReader}, so it sees what the writer has flushed, and a record shows
 * as it is on disk (the records file's own JSON shape).
 */
final class RecordFiles implements UsageRecords {
    private static final System.Logger LOG = System.getLogger(RecordFiles.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final RecordReader reader;

    RecordFiles(Path dir) {
        this.reader = RecordReader.of(dir, skipped -> LOG.log(System.Logger.Level.WARNING, "records query skipped {0}",
                skipped));
    }

    @Override
    public List<Map<String, Object>> query(Query query) throws IOException {
        RecordReader.Filter filter = new RecordReader.Filter(query.accountId(), query.sessionId(), query.service(),
                query.from(), query.to(), query.limit());
        List<Map<String, Object>> out = new ArrayList<>();
        try (Stream<UsageRecord> records = reader.query(filter)) {
            for (UsageRecord r : (Iterable<UsageRecord>) records::iterator) {
                out.add(JSON.readValue(UsageRecordFile.toJsonString(r), MAP));
            }
        }
        return out;
    }
}
