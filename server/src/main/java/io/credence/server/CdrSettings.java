package io.credence.server;

import io.credence.records.cdr.CdrFileWriter;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Whether and how the server writes CHF CDR files ({@code DATA/cdr}).
 *
 * @param enabled  write them (charges over Nchf and Gy/Ro)
 * @param nodeId   the node ID of the file names, or null: {@code chf-} and the NF instance id's first 8 characters
 * @param maxBytes a file is closed before it would grow past this
 * @param maxAge   a file is closed when it has been open this long
 * @param maxCdrs  a file is closed when it holds this many CDRs
 */
public record CdrSettings(boolean enabled, String nodeId, long maxBytes, Duration maxAge, long maxCdrs) {
    public static final CdrSettings DEFAULTS = new CdrSettings(true, null, CdrFileWriter.Config.MAX_BYTES_DEFAULT,
            CdrFileWriter.Config.MAX_AGE_DEFAULT, CdrFileWriter.Config.MAX_CDRS_DEFAULT);
    public static final CdrSettings OFF = new CdrSettings(false, null, CdrFileWriter.Config.MAX_BYTES_DEFAULT,
            CdrFileWriter.Config.MAX_AGE_DEFAULT, CdrFileWriter.Config.MAX_CDRS_DEFAULT);

    CdrFileWriter.Config writerConfig(Path dataDir, String nfInstanceId) {
        CdrFileWriter.Config defaults = CdrFileWriter.Config.defaults(dataDir.resolve("cdr"), nfInstanceId);
        return new CdrFileWriter.Config(defaults.dir(), nodeId == null ? defaults.nodeId() : nodeId, nfInstanceId,
                defaults.nodeAddress(), maxBytes, maxAge, maxCdrs);
    }
}
