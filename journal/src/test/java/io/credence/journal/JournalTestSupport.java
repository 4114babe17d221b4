package io.credence.journal;

import io.credence.ledger.LedgerView;
import io.credence.ledger.AccountKind;
import io.credence.ledger.AccountView;
import io.credence.ledger.BucketSpec;
import io.credence.ledger.Command;
import io.credence.ledger.IdentityType;
import io.credence.ledger.Ledger;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Operation.BindIdentity;
import io.credence.ledger.Operation.Commit;
import io.credence.ledger.Operation.CreateAccount;
import io.credence.ledger.Operation.Release;
import io.credence.ledger.Operation.Reserve;
import io.credence.ledger.Operation.TopUp;
import io.credence.ledger.Operation.Transfer;
import io.credence.ledger.Operation.UnbindIdentity;
import io.credence.ledger.Outcome;
import io.credence.ledger.ReservationView;
import io.credence.ledger.ServiceFilter;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.SubscriberIdentity;
import io.credence.ledger.TransferRecord;
import io.credence.ledger.Unit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * What the journal tests share: a controllable clock, a fatal-error sink, short commands, a
 * comparable picture of the ledger state, and helpers that read and damage the files on disk the
 * way a crash or a bad disk would.
 */
final class JournalTestSupport {
    /** Snapshot and torn-tail notes would drown the test output; errors still show. */
    private static final java.util.logging.Logger JOURNAL_LOG = java.util.logging.Logger.getLogger("io.credence.journal");

    static {
        JOURNAL_LOG.setLevel(java.util.logging.Level.SEVERE);
    }

    static final long START_MILLIS = 1_700_000_000_000L;
    static final LedgerLimits LIMITS = LedgerLimits.DEFAULTS;
    static final long ANSWER_TIMEOUT_SECONDS = 10;

    /** Small bounds and a fast idle tick, so time-driven tests do not wait long. */
    static final JournalConfig CONFIG = new JournalConfig(1024, 64, 4096, 0, 2, true);

    final AtomicLong clock = new AtomicLong(START_MILLIS);
    final List<Throwable> fatal = new CopyOnWriteArrayList<>();

    DurableEngine open(Path dir) throws IOException {
        return open(dir, CONFIG);
    }

    DurableEngine open(Path dir, JournalConfig config) throws IOException {
        return DurableEngine.open(dir, config, LIMITS, clock::get, fatal::add);
    }

    // ---------------------------------------------------------------- commands

    static Command create(String requestId, String accountId) {
        return new Command(requestId, new CreateAccount(accountId, AccountKind.SUBSCRIBER, Map.of()));
    }

    static Command createOperator(String requestId, String accountId) {
        return new Command(requestId, new CreateAccount(accountId, AccountKind.OPERATOR, Map.of()));
    }

    static Command topUp(String requestId, String accountId, long amount) {
        return new Command(requestId, new TopUp("system", accountId, Unit.MONEY, amount, null));
    }

    static Command topUpBucket(String requestId, String accountId, long amount, long validUntilMillis) {
        return new Command(requestId, new TopUp("system", accountId, Unit.BYTES, amount,
                new BucketSpec(0, validUntilMillis, 10, ServiceFilter.ALL)));
    }

    static Command transfer(String requestId, String from, String to, long amount) {
        return new Command(requestId, new Transfer(from, to, Unit.MONEY, amount, ServiceRef.ANY));
    }

    static Command reserve(String requestId, String accountId, String counterpartyId, long amount, long ttlMillis) {
        return new Command(requestId, new Reserve(accountId, counterpartyId, Unit.MONEY, amount, ServiceRef.ANY,
                ttlMillis));
    }

    static Command commit(String requestId, long reservationId, long amount) {
        return new Command(requestId, new Commit(reservationId, amount, false));
    }

    static Command release(String requestId, long reservationId) {
        return new Command(requestId, new Release(reservationId));
    }

    static Command bind(String requestId, IdentityType type, String value, String accountId) {
        return new Command(requestId, new BindIdentity(type, value, accountId));
    }

    static Command unbind(String requestId, IdentityType type, String value) {
        return new Command(requestId, new UnbindIdentity(type, value));
    }

    // ---------------------------------------------------------------- answers

    /** The answer of an accepted submission; fails the test if it was not accepted. */
    static <T> T answer(Submission<T> submission) {
        return switch (submission) {
            case Submission.Accepted<T> accepted -> {
                try {
                    yield accepted.answer().get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new AssertionError("no answer for an accepted submission", e);
                }
            }
            case Submission.Busy<T> busy -> fail("expected Accepted, got " + busy);
            case Submission.TooLarge<T> tooLarge -> fail("expected Accepted, got " + tooLarge);
            case Submission.Stopped<T> stopped -> fail("expected Accepted, got " + stopped);
        };
    }

    /**
     * Applies one command; with snapshots on, also waits for a snapshot it made due, so that
     * snapshots fall at the records a test counts (the writer starts none while one is in flight).
     */
    static Outcome apply(DurableEngine ledger, Command command) {
        Outcome outcome = answer(ledger.submit(command));
        if (ledger.config().snapshotEveryRecords() > 0) {
            barrier(ledger);
        }
        return outcome;
    }

    /** Applies and checks the ledger said yes (a rejection here means the test set itself up wrong). */
    static Outcome applyAccepted(DurableEngine ledger, Command command) {
        Outcome outcome = apply(ledger, command);
        assertThat(outcome.accepted()).as("%s -> %s", command, outcome).isTrue();
        return outcome;
    }

    static <T> T query(DurableEngine ledger, Function<LedgerView, T> query) {
        return answer(ledger.query(query));
    }

    /** Everything submitted before is applied, and a snapshot it started is on disk. */
    static void barrier(DurableEngine ledger) {
        query(ledger, l -> Boolean.TRUE);
        ledger.awaitSnapshotWritten();
    }

    /** Polls {@code condition} on the writer thread until it holds; fails after a few seconds. */
    static void awaitOnWriter(DurableEngine ledger, Predicate<LedgerView> condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!query(ledger, condition::test)) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            sleepMillis(5);
        }
    }

    static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // ---------------------------------------------------------------- comparable state

    /**
     * Everything a client can observe about the given accounts and reservations, as values. Two
     * ledgers that reached the same state by the same commands give equal pictures.
     */
    record LedgerState(Map<String, Optional<AccountView>> accounts, Map<String, List<TransferRecord>> transfers,
                       Map<String, List<SubscriberIdentity>> identities, Map<Long, Optional<ReservationView>> reservations,
                       long lastTransferSeq, int accountCount, int openReservations, int requestIds, int identityCount) {

        static Function<LedgerView, LedgerState> of(List<String> accountIds, long reservationIdMax) {
            return ledger -> {
                Map<String, Optional<AccountView>> accounts = new LinkedHashMap<>();
                Map<String, List<TransferRecord>> transfers = new LinkedHashMap<>();
                Map<String, List<SubscriberIdentity>> identities = new LinkedHashMap<>();
                for (String id : accountIds) {
                    accounts.put(id, ledger.account(id));
                    transfers.put(id, ledger.transfers(id, 0, 10_000).orElse(List.of()));
                    identities.put(id, ledger.identitiesOf(id));
                }
                Map<Long, Optional<ReservationView>> reservations = new TreeMap<>();
                for (long id = 1; id <= reservationIdMax; id++) {
                    reservations.put(id, ledger.reservation(id));
                }
                return new LedgerState(accounts, transfers, identities, reservations, ledger.lastTransferSeq(),
                        ledger.accountCount(), ledger.openReservationCount(), ledger.requestIdCount(),
                        ledger.identityCount());
            };
        }
    }

    static long moneyTotal(DurableEngine ledger, String accountId) {
        return query(ledger, l -> l.account(accountId).orElseThrow().balances().stream()
                .filter(b -> b.unit() == Unit.MONEY).mapToLong(b -> b.total()).sum());
    }

    static long moneyAvailable(DurableEngine ledger, String accountId) {
        return query(ledger, l -> l.available(accountId, Unit.MONEY, ServiceRef.ANY).orElseThrow());
    }

    // ---------------------------------------------------------------- files on disk

    static List<Path> segments(Path dir) throws IOException {
        return filesNamed(dir, JournalFormat.SEGMENT_PREFIX, JournalFormat.SEGMENT_SUFFIX);
    }

    static List<Path> snapshots(Path dir) throws IOException {
        return filesNamed(dir, JournalFormat.SNAPSHOT_PREFIX, JournalFormat.SNAPSHOT_SUFFIX);
    }

    static List<String> fileNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private static List<Path> filesNamed(Path dir, String prefix, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> JournalFormat.seqOf(f, prefix, suffix) >= 0).sorted().toList();
        }
    }

    static Path lastSegment(Path dir) throws IOException {
        List<Path> all = segments(dir);
        assertThat(all).isNotEmpty();
        return all.get(all.size() - 1);
    }

    /** One record as it lies in a segment, parsed independently of {@link SegmentScanner}. */
    record RecordOnDisk(long offset, int length, long seq, long atMillis) {
        long end() {
            return offset + JournalFormat.HEADER_BYTES + length;
        }
    }

    /** Walks a clean segment record by record; every record must check out. */
    static List<RecordOnDisk> records(Path segment) throws IOException {
        byte[] bytes = Files.readAllBytes(segment);
        List<RecordOnDisk> records = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            int length = JournalFormat.getInt(bytes, at);
            assertThat(length).as("record length at byte %d of %s", at, segment).isBetween(8, 1 << 20);
            assertThat(at + JournalFormat.HEADER_BYTES + length).as("record at %d fits", at).isLessThanOrEqualTo(bytes.length);
            int crc = JournalFormat.getInt(bytes, at + 4);
            assertThat(crc).as("checksum of record at byte %d", at).isEqualTo(JournalFormat.crc(bytes, at + 8, 8 + length));
            records.add(new RecordOnDisk(at, length, JournalFormat.getLong(bytes, at + 8),
                    JournalFormat.getLong(bytes, at + JournalFormat.HEADER_BYTES)));
            at += JournalFormat.HEADER_BYTES + length;
        }
        return records;
    }

    /** All records of all segments in the directory, in file order. */
    static List<RecordOnDisk> allRecords(Path dir) throws IOException {
        List<RecordOnDisk> all = new ArrayList<>();
        for (Path segment : segments(dir)) {
            all.addAll(records(segment));
        }
        return all;
    }

    /**
     * Copies the data directory of a running ledger as a crash would leave it: after the barrier
     * the writer is idle, and every acknowledged record has been forced, so the copy is exactly
     * what a SIGKILL at this moment would leave on disk.
     */
    static Path crashImage(DurableEngine live, Path dir, Path target) throws IOException {
        barrier(live);
        copyDirectory(dir, target);
        return target;
    }

    static void copyDirectory(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) {
                    Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Every file's bytes, by name: to show that a refused start-up changed nothing. */
    static Map<String, byte[]> contents(Path dir) throws IOException {
        Map<String, byte[]> all = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                all.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        return all;
    }

    static void flipByte(Path file, long offset, int mask) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[Math.toIntExact(offset)] ^= (byte) mask;
        Files.write(file, bytes);
    }

    static void truncate(Path file, long size) throws IOException {
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }

    static void append(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, java.nio.file.StandardOpenOption.APPEND);
    }
}
