package io.credence.diameter.codec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The 3GPP (vendor 10415) part of the {@link Dictionary}, read once from {@code tgpp-avps.tsv}:
 * several hundred AVPs are data, not code. A line is {@code code TAB name TAB format TAB spec};
 * '#' starts a comment. A malformed line is a build defect, so it fails class loading loudly.
 */
final class TgppAvps {
    private static final String RESOURCE = "tgpp-avps.tsv";
    private static final int COLUMNS = 4;

    private TgppAvps() {}

    static List<Dictionary.Definition> load() {
        try (InputStream in = TgppAvps.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<Dictionary.Definition> out = new ArrayList<>();
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] columns = line.split("\t");
                if (columns.length != COLUMNS) {
                    throw new IllegalStateException(RESOURCE + ":" + number + ": expected " + COLUMNS + " columns");
                }
                out.add(new Dictionary.Definition(Long.parseLong(columns[0]), Dictionary.VENDOR_3GPP, columns[1],
                        AvpType.valueOf(columns[2])));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(RESOURCE + " could not be read", e);
        }
    }
}
