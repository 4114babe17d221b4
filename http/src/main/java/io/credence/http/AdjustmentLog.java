package io.credence.http;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Why an operator adjusted a balance, and who did. The ledger moves the value (a top-up or a
 * transfer to the system account) and keeps the request id; its command codec has no room for
 * text, so the reason is kept here, one JSON line per adjustment, forced to disk before the
 * ledger is asked. A line whose request id the ledger never applied (refused, or a crash in
 * between) names an adjustment that did not happen; readers join on the request id
 * ({@code GET /v1/accounts/{id}/adjustments} answers only lines the account's transfers confirm).
 *
 * <p>The file grows by one line per adjustment, which operators make by hand; it is read at
 * start, and the newest {@link #REMEMBERED_MAX} are kept in memory for the console. On a cluster
 * each node keeps the adjustments made through it.
 */
public final class AdjustmentLog implements AutoCloseable {
    public static final int REMEMBERED_MAX = 100_000;
    /** A line longer than this is not one of ours: the rest of the file is not read. */
    private static final int LINE_BYTES_MAX = 4096;

    /** One adjustment as asked: amount signed (negative debits), the key's name as {@code by}. */
    public record Entry(String at, String requestId, String accountId, String unit, long amount, String reason,
                        String by) {
        Map<String, Object> json() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("at", at);
            body.put("requestId", requestId);
            body.put("accountId", accountId);
            body.put("unit", unit);
            body.put("amount", amount);
            body.put("reason", reason);
            body.put("by", by);
            return body;
        }
    }

    private final FileChannel file;
    private final Deque<Entry> remembered = new ArrayDeque<>();

    private AdjustmentLog(FileChannel file) {
        this.file = file;
    }

    /** Kept only in memory: for a server without a data directory (tests, the demo). */
    public static AdjustmentLog inMemory() {
        return new AdjustmentLog(null);
    }

    /** Opens (creating) the log and reads what it holds. */
    public static AdjustmentLog open(Path path) throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        AdjustmentLog log = new AdjustmentLog(FileChannel.open(path, StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE));
        log.readExisting(path);
        return log;
    }

    private void readExisting(Path path) throws IOException {
        long end = 0;
        try (var lines = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.length() > LINE_BYTES_MAX) {
                    break;
                }
                try {
                    JsonNode node = JsonBody.MAPPER.readTree(line);
                    remember(new Entry(node.path("at").asText(), node.path("requestId").asText(),
                            node.path("accountId").asText(), node.path("unit").asText(), node.path("amount").asLong(),
                            node.path("reason").asText(), node.path("by").asText()));
                } catch (IOException torn) {
                    break; // a line a crash cut short: it is written again over it
                }
                end += line.getBytes(StandardCharsets.UTF_8).length + 1;
            }
        }
        file.truncate(end);
        file.position(end);
    }

    /**
     * Writes the line and forces it, before the adjustment is applied. A request id already
     * written (a retry) writes nothing: the first reason stands, as the ledger's first answer does.
     */
    public synchronized void append(Entry entry) {
        for (Entry known : remembered) {
            if (known.requestId().equals(entry.requestId())) {
                return;
            }
        }
        if (file != null) {
            try {
                byte[] line = (JsonBody.MAPPER.writeValueAsString(entry.json()) + "\n").getBytes(StandardCharsets.UTF_8);
                ByteBuffer buffer = ByteBuffer.wrap(line);
                while (buffer.hasRemaining()) {
                    file.write(buffer);
                }
                file.force(false);
            } catch (IOException e) {
                throw new UncheckedIOException("writing the adjustment log", e);
            }
        }
        remember(entry);
    }

    /** The account's adjustments as asked, newest first, at most {@code limit}. */
    public synchronized List<Entry> of(String accountId, int limit) {
        List<Entry> out = new ArrayList<>();
        var newestFirst = remembered.descendingIterator();
        while (newestFirst.hasNext() && out.size() < limit) {
            Entry entry = newestFirst.next();
            if (entry.accountId().equals(accountId)) {
                out.add(entry);
            }
        }
        return out;
    }

    private void remember(Entry entry) {
        if (remembered.size() >= REMEMBERED_MAX) {
            remembered.removeFirst();
        }
        remembered.addLast(entry);
    }

    @Override
    public synchronized void close() throws IOException {
        if (file != null) {
            file.close();
        }
    }
}
