package io.credence.http;

import io.credence.market.log.MerkleLog;
import io.credence.market.log.SignedTreeHead;

import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongBiFunction;

/**
 * {@code /v1/market/log}: the contract ledger as anyone holding a reader key can audit it.
 * <pre>
 * GET /v1/market/log                                       the signed tree head and the log's public key
 * GET /v1/market/log/entries/{index}                       one entry (base64) and its leaf hash
 * GET /v1/market/log/proofs/inclusion?index=I&amp;size=N       audit path of entry I in the tree of size N
 * GET /v1/market/log/proofs/consistency?first=M&amp;second=N   proof that the tree of size N extends that of size M
 * GET /v1/market/log/file                                  the log file itself, for offline verification
 * </pre>
 * Hashes, signatures and keys are base64 (standard alphabet, padded), as RFC 6962 clients expect.
 */
final class MarketLogApi {
    private static final Base64.Encoder B64 = Base64.getEncoder();

    private final MerkleLog log;

    MarketLogApi(MerkleLog log) {
        this.log = log;
    }

    /**
     * @param query a query parameter as a bounded long ({@code name, max} -> value), its problem naming the parameter
     */
    Object route(String method, String[] path, ToLongBiFunction<String, Long> query) {
        // path: "", v1, market, log, ...
        if (!method.equals("GET")) {
            throw new ApiError(405, "method-not-allowed", null, "allowed: GET");
        }
        if (path.length == 4) {
            return head();
        }
        if (path.length == 5 && path[4].equals("file")) {
            try {
                return log.fileBytes();
            } catch (IOException e) {
                throw new ApiError(503, "stopped", null, "the market log cannot be read: " + e.getMessage());
            }
        }
        if (path.length == 6 && path[4].equals("entries")) {
            long index = parseIndex(path[5]);
            return entry(index);
        }
        if (path.length == 6 && path[4].equals("proofs") && path[5].equals("inclusion")) {
            long size = log.size();
            long treeSize = query.applyAsLong("size", size);
            long index = query.applyAsLong("index", Math.max(0, treeSize - 1));
            if (treeSize < 1 || treeSize > size || index >= treeSize) {
                throw new ApiError("index", "need 0 <= index < size <= " + size + ", got index " + index + ", size " + treeSize);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("index", index);
            out.put("size", treeSize);
            out.put("leafHash", B64.encodeToString(log.leafHash(index)));
            out.put("proof", encoded(log.inclusionProof(index, treeSize)));
            out.put("rootHash", B64.encodeToString(log.root(treeSize)));
            return out;
        }
        if (path.length == 6 && path[4].equals("proofs") && path[5].equals("consistency")) {
            long size = log.size();
            long second = query.applyAsLong("second", size);
            long first = query.applyAsLong("first", Math.max(0, second - 1));
            if (second > size || first > second || first < 1) {
                throw new ApiError("first", "need 1 <= first <= second <= " + size + ", got " + first + ", " + second);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("first", first);
            out.put("second", second);
            out.put("proof", encoded(log.consistencyProof(first, second)));
            out.put("firstRootHash", B64.encodeToString(log.root(first)));
            out.put("secondRootHash", B64.encodeToString(log.root(second)));
            return out;
        }
        throw new ApiError(404, "not-found", null, "no resource at /" + String.join("/", path).substring(1));
    }

    private Map<String, Object> head() {
        SignedTreeHead head = log.treeHead();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("size", head.size());
        out.put("timestampMillis", head.timestampMillis());
        out.put("rootHash", B64.encodeToString(head.rootHash()));
        out.put("signature", B64.encodeToString(head.signature()));
        out.put("publicKey", B64.encodeToString(log.publicKey()));
        return out;
    }

    private Map<String, Object> entry(long index) {
        if (index >= log.size()) {
            throw new ApiError(404, "unknown-entry", "index", "the log holds " + log.size() + " entries");
        }
        try {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("index", index);
            out.put("entry", B64.encodeToString(log.entry(index)));
            out.put("leafHash", B64.encodeToString(log.leafHash(index)));
            return out;
        } catch (IOException e) {
            throw new ApiError(503, "stopped", null, "the market log cannot be read: " + e.getMessage());
        }
    }

    private static long parseIndex(String segment) {
        try {
            long index = Long.parseLong(segment);
            if (index >= 0) {
                return index;
            }
        } catch (NumberFormatException notANumber) {
            // the problem below
        }
        throw new ApiError("index", "path segment must be an entry index >= 0");
    }

    private static List<String> encoded(List<byte[]> nodes) {
        return nodes.stream().map(B64::encodeToString).toList();
    }
}
