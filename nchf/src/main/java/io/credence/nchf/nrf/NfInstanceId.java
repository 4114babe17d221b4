package io.credence.nchf.nrf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * This CHF's NF instance id (TS 29.510: a UUID). The NRF keys its profile by it and an access
 * token names it as its audience, so it must not change when the process restarts: it is kept in
 * {@code DATA/nf-instance-id}, chosen at random on the first start unless the operator names one.
 */
public final class NfInstanceId {
    public static final String FILE_NAME = "nf-instance-id";

    private NfInstanceId() {
    }

    /**
     * The id kept in {@code dataDir}, or {@code given} when the operator names one (which is then
     * kept, replacing the earlier one); a new random id, kept, when there is neither.
     *
     * @throws IOException when the file cannot be read or written, or holds something else than a UUID
     */
    public static UUID loadOrCreate(Path dataDir, UUID given) throws IOException {
        Path file = dataDir.resolve(FILE_NAME);
        UUID kept = null;
        if (Files.exists(file)) {
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            try {
                kept = UUID.fromString(text);
            } catch (IllegalArgumentException notUuid) {
                throw new IOException(file + " holds '" + text + "', not an NF instance id (a UUID)");
            }
        }
        UUID id = given != null ? given : kept != null ? kept : UUID.randomUUID();
        if (!id.equals(kept)) {
            Files.createDirectories(dataDir);
            Path temporary = dataDir.resolve(FILE_NAME + ".tmp");
            Files.writeString(temporary, id + "\n", StandardCharsets.US_ASCII);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        return id;
    }
}
