package io.credence.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who validates market contracts: four validators in-process (the default), or the separate
 * {@code credence validator} processes named in a file, of which {@code quorum} must approve.
 *
 * @param validators the separate validators' ids and Ed25519 public keys; empty for in-process ones
 * @param quorum     approvals needed; a majority of the validators
 */
public record MarketSettings(Map<String, byte[]> validators, int quorum) {
    public static final MarketSettings IN_PROCESS = new MarketSettings(Map.of(), 0);
    public static final int VALIDATORS_MAX = 64;

    public MarketSettings {
        validators = Map.copyOf(validators);
        if (!validators.isEmpty() && (quorum <= validators.size() / 2 || quorum > validators.size())) {
            throw new IllegalArgumentException("the quorum must be a majority of the " + validators.size()
                    + " validators, was " + quorum);
        }
    }

    public boolean inProcess() {
        return validators.isEmpty();
    }

    /** Reads lines {@code id base64-public-key} ({@code #} starts a comment), as {@code credence validator keygen} prints them. */
    static Map<String, byte[]> readValidators(Path file) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file);
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length != 2 || !parts[0].matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IOException(file + ":" + (n + 1) + ": expected 'id base64-public-key'");
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(parts[1]);
            } catch (IllegalArgumentException bad) {
                throw new IOException(file + ":" + (n + 1) + ": the key is not base64");
            }
            if (key.length != 32) {
                throw new IOException(file + ":" + (n + 1) + ": an Ed25519 public key has 32 bytes, this has " + key.length);
            }
            if (out.put(parts[0], key) != null) {
                throw new IOException(file + ":" + (n + 1) + ": validator '" + parts[0] + "' is listed twice");
            }
            if (out.size() > VALIDATORS_MAX) {
                throw new IOException(file + ": more than " + VALIDATORS_MAX + " validators");
            }
        }
        if (out.isEmpty()) {
            throw new IOException(file + " names no validator");
        }
        return out;
    }
}
