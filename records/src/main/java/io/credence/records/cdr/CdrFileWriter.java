package io.credence.records.cdr;

import io.credence.records.UsageRecord;
import io.credence.records.UsageSink;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

/**
 * Writes the CHF CDRs of charges over Nchf and Gy/Ro ({@link ChfRecords}) into TS 32.297 CDR files
 * ({@link CdrFiles}), with the discipline of the usage records files:
 *
 * <ul>
 *   <li>a batch's CDRs reach the operating system in one write before the batch is answered, so a
 *       killed process loses none it acknowledged; the file is forced at each close and whenever
 *       the owner calls {@link #force};</li>
 *   <li>a crash leaves the open file as {@code ...open}; the next start closes it as abnormal
 *       (closure reason 128), cutting off a CDR torn by the crash (whose charge was never answered
 *       and is charged again, its CDR written again, when the engine replays its journal). Charges
 *       replayed after a restart are written again too, so a billing system keeps one CDR per
 *       usage record id (recordExtensions);</li>
 *   <li>a file is closed and renamed to its final name when the next CDR would take it past
 *       {@link Config#maxBytes()} or {@link Config#maxCdrs()}, when it has been open
 *       {@link Config#maxAge()} ({@link #tick} checks even when no CDR comes), and at stop.</li>
 * </ul>
 */
public final class CdrFileWriter implements UsageSink, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CdrFileWriter.class.getName());

    /**
     * @param nodeId       the node ID of the file names
     * @param nfInstanceId recordingNetworkFunctionID of every CDR
     * @param nodeAddress  this node's address for the file header (20 octets)
     */
    public record Config(Path dir, String nodeId, String nfInstanceId, byte[] nodeAddress, long maxBytes,
                         Duration maxAge, long maxCdrs) {
        public static final long MAX_BYTES_DEFAULT = 16L << 20;
        public static final Duration MAX_AGE_DEFAULT = Duration.ofMinutes(15);
        public static final long MAX_CDRS_DEFAULT = 100_000;

        public Config {
            if (!nodeId.matches("[A-Za-z0-9-]{1,32}")) {
                throw new IllegalArgumentException("the CDR node id must be 1..32 letters, digits or '-', was " + nodeId);
            }
            if (nodeAddress.length != 20) {
                throw new IllegalArgumentException("the node address is 20 octets");
            }
            if (maxBytes < CdrFiles.HEADER_LENGTH + CdrFiles.CDR_HEADER_LENGTH + CdrFiles.CDR_LENGTH_MAX
                    || maxBytes > 0xFFFF_FFFFL || maxCdrs < 1 || maxCdrs > 0xFFFF_FFFFL
                    || maxAge.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("CDR files must hold 64 KiB..4 GiB, 1..2^32-1 CDRs, and stay "
                        + "open at least 1 s");
            }
        }

        public static Config defaults(Path dir, String nfInstanceId) {
            return new Config(dir, "chf-" + nfInstanceId.substring(0, Math.min(8, nfInstanceId.length())),
                    nfInstanceId, loopback(), MAX_BYTES_DEFAULT, MAX_AGE_DEFAULT, MAX_CDRS_DEFAULT);
        }

        public Config withLimits(long bytes, Duration age, long cdrs) {
            return new Config(dir, nodeId, nfInstanceId, nodeAddress, bytes, age, cdrs);
        }

        /** ::1 in the last 16 octets. */
        static byte[] loopback() {
            byte[] address = new byte[20];
            address[19] = 1;
            return address;
        }
    }

    private final Config config;
    private final InstantSource clock;
    /** Held while open: one writer per directory, so a second server cannot "recover" this one's open file. */
    private final FileChannel lockFile;
    private FileChannel channel;
    private Path openFile;
    private long fileSequence;
    private long fileBytes;
    private long fileCdrs;
    private long fileFirstLocal;
    private Instant fileOpened;
    private Instant lastAppended;
    private long nextLocal;
    private long filesClosed;
    private boolean closed;

    private CdrFileWriter(Config config, InstantSource clock, FileChannel lockFile, long nextFileSequence,
                          long nextLocal) {
        this.config = config;
        this.clock = clock;
        this.lockFile = lockFile;
        this.fileSequence = nextFileSequence - 1;
        this.nextLocal = nextLocal;
    }

    /** Another process (or this one) writes the CDR directory; {@code holderPid} is -1 when not known. */
    public static final class InUse extends IOException {
        private final long holderPid;

        InUse(String message, long holderPid) {
            super(message);
            this.holderPid = holderPid;
        }

        public long holderPid() {
            return holderPid;
        }
    }

    /** Opens the directory, first closing as abnormal any file a crash left open. */
    public static CdrFileWriter open(Config config, InstantSource clock) throws IOException {
        Files.createDirectories(config.dir());
        Path lockPath = config.dir().resolve("LOCK");
        FileChannel lockFile = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            if (lockFile.tryLock() == null) {
                throw new InUse("the CDR directory " + config.dir() + " is in use by another process",
                        holder(lockPath));
            }
            // who holds it, for the message a second server gets
            lockFile.truncate(0);
            lockFile.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(
                    java.nio.charset.StandardCharsets.US_ASCII)), 0);
            return open(config, clock, lockFile);
        } catch (java.nio.channels.OverlappingFileLockException inThisProcess) {
            lockFile.close();
            throw new InUse("the CDR directory " + config.dir() + " is already open in this process",
                    ProcessHandle.current().pid());
        } catch (IOException | RuntimeException failed) {
            lockFile.close(); // releases the lock, if it was taken
            throw failed;
        }
    }

    private static long holder(Path lockPath) {
        try {
            return Long.parseLong(Files.readString(lockPath).strip());
        } catch (IOException | NumberFormatException unknown) {
            return -1;
        }
    }

    private static CdrFileWriter open(Config config, InstantSource clock, FileChannel lockFile) throws IOException {
        for (Path open : CdrFiles.listMatching(config.dir(), true)) {
            recover(open);
        }
        long nextFile = 1;
        long nextLocal = 0;
        List<Path> closedFiles = CdrFiles.list(config.dir());
        if (!closedFiles.isEmpty()) {
            Path newest = closedFiles.getLast();
            nextFile = CdrFiles.sequenceOf(newest) + 1;
            CdrFiles.Contents contents = CdrFiles.read(newest);
            if (contents.header().firstLocalSequence() >= 0) {
                nextLocal = (contents.header().firstLocalSequence() + contents.cdrs().size()) & 0xFFFF_FFFFL;
            }
        }
        return new CdrFileWriter(config, clock, lockFile, nextFile, nextLocal);
    }

    /** Closes a file a crash left open: its whole CDRs kept, a torn tail cut off, reason 128. */
    private static void recover(Path open) throws IOException {
        CdrFiles.Contents contents = CdrFiles.read(open);
        long length = contents.header().headerLength();
        for (byte[] cdr : contents.cdrs()) {
            length += CdrFiles.CDR_HEADER_LENGTH + cdr.length;
        }
        Instant modified = Files.getLastModifiedTime(open).toInstant();
        try (FileChannel file = FileChannel.open(open, StandardOpenOption.WRITE)) {
            file.truncate(length);
            CdrFiles.Header h = contents.header();
            file.write(CdrFiles.header(length, h.opened(), CdrFiles.packedTime(modified), contents.cdrs().size(),
                    h.fileSequence(), CdrFiles.Closure.ABNORMAL.code(), h.nodeAddress(), h.firstLocalSequence()), 0);
            file.force(true);
        }
        Path closedName = finalName(open);
        Files.move(open, closedName, StandardCopyOption.ATOMIC_MOVE);
        LOG.log(System.Logger.Level.WARNING, "CDR file " + open.getFileName() + " was left open by a crash; closed as "
                + closedName.getFileName() + " with " + contents.cdrs().size() + " CDRs"
                + (contents.tornAt() >= 0 ? ", a torn CDR cut off at " + contents.tornAt() : ""));
    }

    private static Path finalName(Path open) {
        String name = open.getFileName().toString();
        return open.resolveSibling(name.substring(0, name.length() - CdrFiles.OPEN_SUFFIX.length()));
    }

    @Override
    public void accept(UsageRecord record) {
        acceptAll(List.of(record));
    }

    /** Writes the batch's CHF CDRs with one write per file they go into. */
    @Override
    public synchronized void acceptAll(List<UsageRecord> records) {
        if (closed) {
            throw new IllegalStateException("CDR writer for " + config.dir() + " is closed");
        }
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        long pendingCdrs = 0;
        try {
            for (UsageRecord record : records) {
                if (!ChfRecords.isChfCharge(record)) {
                    continue;
                }
                byte[] ber = ChfRecords.encode(record, config.nfInstanceId(), nextLocal);
                if (ber.length > CdrFiles.CDR_LENGTH_MAX) {
                    LOG.log(System.Logger.Level.ERROR, "usage record " + record.recordId() + " makes a CDR of "
                            + ber.length + " octets, more than a CDR header can say; not written");
                    continue;
                }
                int size = CdrFiles.CDR_HEADER_LENGTH + ber.length;
                Instant now = clock.instant();
                if (channel != null) {
                    CdrFiles.Closure full = fileBytes + pending.size() + size > config.maxBytes()
                            ? CdrFiles.Closure.SIZE_LIMIT
                            : fileCdrs + pendingCdrs >= config.maxCdrs() ? CdrFiles.Closure.CDR_COUNT_LIMIT
                            : !now.isBefore(fileOpened.plus(config.maxAge())) ? CdrFiles.Closure.OPEN_TIME_LIMIT : null;
                    if (full != null) {
                        flush(pending, pendingCdrs);
                        pending.reset();
                        pendingCdrs = 0;
                        closeFile(full);
                    }
                }
                if (channel == null) {
                    openFile(now);
                }
                pending.write(CdrFiles.cdrHeader(ber.length));
                pending.write(ber);
                pendingCdrs++;
                nextLocal = (nextLocal + 1) & 0xFFFF_FFFFL;
            }
            flush(pending, pendingCdrs);
        } catch (IOException e) {
            throw new UncheckedIOException("CDRs not written to " + openFile, e);
        }
    }

    private void flush(ByteArrayOutputStream pending, long cdrs) throws IOException {
        if (cdrs == 0) {
            return;
        }
        ByteBuffer bytes = ByteBuffer.wrap(pending.toByteArray());
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        fileBytes += pending.size();
        fileCdrs += cdrs;
        lastAppended = clock.instant();
    }

    private void openFile(Instant now) throws IOException {
        fileSequence = fileSequence + 1;
        Path file = config.dir().resolve(CdrFiles.fileName(config.nodeId(), fileSequence, now) + CdrFiles.OPEN_SUFFIX);
        channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        openFile = file;
        fileOpened = now;
        lastAppended = now;
        fileCdrs = 0;
        fileFirstLocal = nextLocal;
        // the header as it stands while the file is open: length and count unknown until it is closed
        ByteBuffer header = CdrFiles.header(0xFFFF_FFFFL, CdrFiles.packedTime(now), CdrFiles.packedTime(now), 0,
                fileSequence, CdrFiles.Closure.ABNORMAL.code(), config.nodeAddress(), fileFirstLocal);
        while (header.hasRemaining()) {
            channel.write(header);
        }
        fileBytes = CdrFiles.HEADER_LENGTH;
    }

    private void closeFile(CdrFiles.Closure reason) throws IOException {
        channel.write(CdrFiles.header(fileBytes, CdrFiles.packedTime(fileOpened), CdrFiles.packedTime(lastAppended),
                fileCdrs, fileSequence, reason.code(), config.nodeAddress(), fileFirstLocal), 0);
        channel.force(true);
        channel.close();
        channel = null;
        Files.move(openFile, finalName(openFile), StandardCopyOption.ATOMIC_MOVE);
        openFile = null;
        filesClosed++;
    }

    /** Closes the open file once it has been open its time, even when no CDR comes to do it. */
    public synchronized void tick() {
        if (channel != null && !clock.instant().isBefore(fileOpened.plus(config.maxAge()))) {
            try {
                closeFile(CdrFiles.Closure.OPEN_TIME_LIMIT);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "CDR file " + openFile + " not closed on time: " + e);
            }
        }
    }

    /** Forces what was written to disk. */
    public synchronized void force() throws IOException {
        if (channel != null) {
            channel.force(false);
        }
    }

    public synchronized long filesClosed() {
        return filesClosed;
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (channel != null) {
                closeFile(CdrFiles.Closure.NORMAL);
            }
        } finally {
            lockFile.close();
        }
    }
}
