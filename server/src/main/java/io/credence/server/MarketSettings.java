package io.credence.server;

import io.credence.market.contract.UnitKind;
import io.credence.market.trade.ContractDesk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;

/**
 * Who validates market contracts — four validators in-process (the default), or the separate
 * {@code credence validator} processes named in a file, of which {@code quorum} must approve —
 * and what the units a fee may be paid in are worth.
 *
 * @param validators the separate validators' ids and Ed25519 public keys; empty for in-process ones
 * @param quorum     approvals needed; a majority of the validators
 * @param rates      per non-money unit kind, how much of it a minor unit of money is worth (the
 *                   operator's choice); a contract is escrowed at the rate in force when it
 *                   becomes effective and settled in what was escrowed
 */
public record MarketSettings(Map<String, byte[]> validators, int quorum, Map<UnitKind, ContractDesk.Rate> rates) {
    public static final MarketSettings IN_PROCESS = new MarketSettings(Map.of(), 0, ContractDesk.RATES_DEFAULT);
    public static final int VALIDATORS_MAX = 64;
    /** Most units a minor unit of money may be worth: keeps fee x rate far inside a long. */
    public static final long RATE_MAX = 1_000_000_000L;

    public MarketSettings {
        validators = Map.copyOf(validators);
        rates = Map.copyOf(rates);
        if (!rates.keySet().containsAll(EnumSet.allOf(UnitKind.class))) {
            throw new IllegalArgumentException("every unit kind needs a rate, missing from " + rates.keySet());
        }
        if (!validators.isEmpty() && (quorum <= validators.size() / 2 || quorum > validators.size())) {
            throw new IllegalArgumentException("the quorum must be a majority of the " + validators.size()
                    + " validators, was " + quorum);
        }
    }

    public boolean inProcess() {
        return validators.isEmpty();
    }

    /** These settings with the given kinds' rates replacing the ones in force (the others stay). */
    public MarketSettings withRates(Map<UnitKind, ContractDesk.Rate> changed) {
        Map<UnitKind, ContractDesk.Rate> merged = new EnumMap<>(UnitKind.class);
        merged.putAll(rates);
        merged.putAll(changed);
        return new MarketSettings(validators, quorum, merged);
    }

    /** The name a unit kind has on the command line: {@code bonus-credit}, {@code free-minutes}, {@code data-pack}. */
    static String optionName(UnitKind kind) {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
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
