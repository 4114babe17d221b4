package io.credence.ledger;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The whole ledger state as bytes, so start-up can load a snapshot instead of replaying the
 * journal from the beginning. Layout (all big-endian):
 *
 * <pre>
 *   "CRDS" u32 magic, u32 version
 *   nowMillis, nextBucketId, nextReservationId           : i64 each
 *   u32 accounts   { id, kind, status, limits, lastTransferSeq, u16 buckets { bucket },
 *                    u32 identities { type, value }             (in the order they were bound)
 *                    u8 streams { name, lastSeq, total } }      (in the order they were added)
 *   u32 open       { id, account, counterparty, unit, amount, service, expiresAt,
 *                    u16 holds { bucketId, amount } }
 *   u32 closed     { id, status, atMillis }
 *   u32 requests   { requestId, fingerprint, atMillis, outcome }
 *   i64 lastTransferSeq, u32 retained { transfer, previousSeqOfFrom, previousSeqOfTo }
 *   "CRDE" u32 end marker
 * </pre>
 *
 * The caller (the journal) adds a checksum around these bytes; this class only maps state.
 * Version 2 added the identities, 3 the reservation tags, 4 the sequence streams. Version 3 is
 * still read (its accounts have no streams, which is what they had then), so a data directory
 * written before streams recovers from its snapshots. Another version is refused like a damaged
 * snapshot: recovery then tries an older one or replays the journal, and stops with the reason
 * when the segments that snapshot replaced are gone.
 */
public final class LedgerSnapshot {
    private static final int MAGIC = 0x43524453; // "CRDS"
    private static final int END = 0x43524445; // "CRDE"
    private static final int VERSION = 4;
    /** The oldest version still read: the one before sequence streams. */
    private static final int VERSION_WITHOUT_STREAMS = 3;

    private LedgerSnapshot() {}

    public static void write(Ledger ledger, DataOutput out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeLong(ledger.postings.nowMillis);
        out.writeLong(ledger.postings.nextBucketId);
        out.writeLong(ledger.reservations.nextReservationId);
        // in key order: a hash map's order depends on its history (a restored map has another
        // capacity), and the same state must always write the same bytes
        out.writeInt(ledger.accounts.size());
        List<Account> accounts = new java.util.ArrayList<>(ledger.accounts.values());
        accounts.sort(java.util.Comparator.comparing(a -> a.id));
        for (Account a : accounts) {
            writeAccount(out, a);
        }
        out.writeInt(ledger.reservations.open.size());
        List<Reservation> open = new java.util.ArrayList<>(ledger.reservations.open.values());
        open.sort(java.util.Comparator.comparingLong(r -> r.id));
        for (Reservation r : open) {
            writeReservation(out, r);
        }
        out.writeInt(ledger.reservations.closed.size());
        ledger.reservations.closed.forEachOldestFirst((id, status, at) -> {
            out.writeLong(id);
            out.writeByte(status.ordinal());
            out.writeLong(at);
        });
        out.writeInt(ledger.requests.size());
        for (Map.Entry<String, RequestLog.Entry> e : ledger.requests.entries()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue().fingerprint());
            out.writeLong(e.getValue().atMillis());
            OutcomeCodec.write(out, e.getValue().outcome());
        }
        out.writeLong(ledger.postings.transfers.lastSeq());
        List<TransferLog.Entry> retained = ledger.postings.transfers.retained();
        out.writeInt(retained.size());
        for (TransferLog.Entry e : retained) {
            writeTransfer(out, e);
        }
        out.writeInt(END);
    }

    public static Ledger read(DataInput in, LedgerLimits limits) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("not a Credence snapshot (bad magic)");
        }
        return readAfterMagic(in, limits);
    }

    /** Whether a snapshot's first four bytes are those of a ledger snapshot. */
    public static boolean isLedgerSnapshot(int magic) {
        return magic == MAGIC;
    }

    /** {@link #read} once its magic was read (by a caller that tells snapshot kinds apart). */
    public static Ledger readAfterMagic(DataInput in, LedgerLimits limits) throws IOException {
        int version = in.readInt();
        if (version != VERSION && version != VERSION_WITHOUT_STREAMS) {
            throw new IOException("snapshot version " + version + " is not supported (expected "
                    + VERSION_WITHOUT_STREAMS + " or " + VERSION + ")");
        }
        boolean withStreams = version >= VERSION;
        Ledger ledger = new Ledger(limits);
        ledger.accounts.clear();
        ledger.postings.nowMillis = in.readLong();
        ledger.postings.nextBucketId = in.readLong();
        ledger.reservations.nextReservationId = in.readLong();
        int accounts = in.readInt();
        for (int i = 0; i < accounts; i++) {
            Account a = readAccount(in, ledger, withStreams);
            ledger.accounts.put(a.id, a);
        }
        int open = in.readInt();
        for (int i = 0; i < open; i++) {
            Reservation r = readReservation(in, ledger);
            if (r.tag != null && ledger.reservations.openByTag.containsKey(r.tag)) {
                throw new IOException("reservations " + ledger.reservations.openByTag.get(r.tag).id + " and " + r.id
                        + " both hold tag '" + r.tag + "'");
            }
            ledger.reservations.putOpen(r);
        }
        int closed = in.readInt();
        for (int i = 0; i < closed; i++) {
            long id = in.readLong();
            ReservationStatus status = CommandCodec.enumOf(ReservationStatus.values(), in);
            long at = in.readLong();
            if (id <= 0 || ledger.reservations.closed.status(id) != null) {
                throw new IOException("closed reservation " + id + " is not a new id");
            }
            ledger.reservations.closed.add(id, status, at);
        }
        int requests = in.readInt();
        for (int i = 0; i < requests; i++) {
            String requestId = in.readUTF();
            long fingerprint = in.readLong();
            long at = in.readLong();
            ledger.requests.put(requestId, new RequestLog.Entry(fingerprint, OutcomeCodec.read(in), at));
        }
        long lastSeq = in.readLong();
        int retained = in.readInt();
        List<TransferLog.Entry> entries = new ArrayList<>(retained);
        for (int i = 0; i < retained; i++) {
            entries.add(readTransfer(in));
        }
        ledger.postings.transfers.restore(lastSeq, entries);
        if (in.readInt() != END) {
            throw new IOException("snapshot end marker missing");
        }
        if (ledger.accounts.get(Ids.SYSTEM_ACCOUNT) == null) {
            throw new IOException("snapshot has no system account");
        }
        ledger.restoreDeadlines();
        ledger.verifyInvariants();
        return ledger;
    }

    private static void writeAccount(DataOutput out, Account a) throws IOException {
        out.writeUTF(a.id);
        out.writeByte(a.kind.ordinal());
        out.writeByte(a.status.ordinal());
        CommandCodec.writeLimits(out, a.creditLimitMap());
        out.writeLong(a.lastTransferSeq);
        out.writeShort(a.buckets.length);
        for (Bucket b : a.buckets) {
            out.writeLong(b.id);
            out.writeByte(b.unit.ordinal());
            out.writeLong(b.amount);
            out.writeLong(b.reserved);
            out.writeLong(b.validFromMillis);
            out.writeLong(b.validUntilMillis);
            out.writeInt(b.priority);
            CommandCodec.writeFilter(out, b.services);
        }
        List<SubscriberIdentity> identities = a.identities();
        out.writeInt(identities.size());
        for (SubscriberIdentity identity : identities) {
            out.writeByte(identity.type().ordinal());
            out.writeUTF(identity.value());
        }
        List<SequenceStream> streams = a.streams();
        out.writeByte(streams.size());
        for (SequenceStream stream : streams) {
            out.writeUTF(stream.name);
            out.writeLong(stream.lastSeq);
            out.writeLong(stream.total);
        }
    }

    private static Account readAccount(DataInput in, Ledger ledger, boolean withStreams) throws IOException {
        Account a = new Account(in.readUTF(), CommandCodec.enumOf(AccountKind.values(), in));
        a.status = CommandCodec.enumOf(AccountStatus.values(), in);
        a.setCreditLimits(CommandCodec.readLimits(in));
        a.lastTransferSeq = in.readLong();
        int buckets = in.readUnsignedShort();
        for (int i = 0; i < buckets; i++) {
            long id = in.readLong();
            Unit unit = CommandCodec.enumOf(Unit.values(), in);
            long amount = in.readLong();
            long reserved = in.readLong();
            Bucket b = new Bucket(id, unit, in.readLong(), in.readLong(), in.readInt(),
                    ledger.serviceFilters.canonical(CommandCodec.readFilter(in)));
            b.amount = amount;
            b.reserved = reserved;
            a.addBucket(b);
        }
        int identities = in.readInt();
        for (int i = 0; i < identities; i++) {
            readIdentity(in, ledger, a);
        }
        if (withStreams) {
            readStreams(in, a);
        }
        return a;
    }

    /** Checked here, not only by the invariant check: a damaged count or name must not get as far as the ledger. */
    private static void readStreams(DataInput in, Account a) throws IOException {
        int streams = in.readUnsignedByte();
        if (streams > Account.STREAMS_MAX) {
            throw new IOException("account " + a.id + " has " + streams + " streams");
        }
        for (int i = 0; i < streams; i++) {
            String name = in.readUTF();
            String problem = Ids.streamProblem(name);
            if (problem != null) {
                throw new IOException("account " + a.id + " has an invalid stream name: " + problem);
            }
            if (a.stream(name) != null) {
                throw new IOException("account " + a.id + " has stream " + name + " twice");
            }
            SequenceStream stream = new SequenceStream(name);
            stream.lastSeq = in.readLong();
            stream.total = in.readLong();
            if (stream.lastSeq <= 0 || stream.total < 0) {
                throw new IOException("stream " + name + " of account " + a.id + " is at " + stream.lastSeq
                        + " with total " + stream.total);
            }
            a.addStream(stream);
        }
    }

    private static void readIdentity(DataInput in, Ledger ledger, Account a) throws IOException {
        SubscriberIdentity identity;
        try {
            identity = new SubscriberIdentity(CommandCodec.enumOf(IdentityType.values(), in), in.readUTF());
        } catch (IllegalArgumentException invalid) {
            throw new IOException("account " + a.id + " has an invalid identity: " + invalid.getMessage(), invalid);
        }
        Account other = ledger.identities.putIfAbsent(identity, a);
        if (other != null) {
            throw new IOException("identity " + identity + " is bound to both " + other.id + " and " + a.id);
        }
        a.addIdentity(identity);
    }

    private static void writeReservation(DataOutput out, Reservation r) throws IOException {
        out.writeLong(r.id);
        out.writeUTF(r.account.id);
        out.writeUTF(r.counterparty.id);
        out.writeByte(r.unit.ordinal());
        out.writeLong(r.amount);
        CommandCodec.writeService(out, r.service);
        out.writeLong(r.expiresAtMillis);
        out.writeShort(r.holdBuckets.length);
        for (int i = 0; i < r.holdBuckets.length; i++) {
            out.writeLong(r.holdBuckets[i].id);
            out.writeLong(r.holdAmounts[i]);
        }
        out.writeBoolean(r.tag != null);
        if (r.tag != null) {
            out.writeUTF(r.tag);
        }
    }

    private static Reservation readReservation(DataInput in, Ledger ledger) throws IOException {
        long id = in.readLong();
        Account account = existing(ledger, in.readUTF());
        Account counterparty = existing(ledger, in.readUTF());
        Unit unit = CommandCodec.enumOf(Unit.values(), in);
        long amount = in.readLong();
        ServiceRef service = CommandCodec.readService(in);
        long expiresAt = in.readLong();
        int holds = in.readUnsignedShort();
        Bucket[] buckets = new Bucket[holds];
        long[] amounts = new long[holds];
        for (int i = 0; i < holds; i++) {
            long bucketId = in.readLong();
            buckets[i] = account.bucket(bucketId);
            if (buckets[i] == null) {
                throw new IOException("reservation " + id + " holds unknown bucket " + bucketId);
            }
            amounts[i] = in.readLong();
        }
        String tag = in.readBoolean() ? in.readUTF() : null;
        return new Reservation(id, account, counterparty, unit, amount, service, expiresAt, buckets, amounts, tag);
    }

    private static Account existing(Ledger ledger, String accountId) throws IOException {
        Account a = ledger.accounts.get(accountId);
        if (a == null) {
            throw new IOException("snapshot refers to unknown account " + accountId);
        }
        return a;
    }

    private static void writeTransfer(DataOutput out, TransferLog.Entry e) throws IOException {
        TransferRecord t = e.transfer();
        out.writeLong(t.seq());
        out.writeByte(t.kind().ordinal());
        out.writeUTF(t.fromAccountId());
        out.writeUTF(t.toAccountId());
        out.writeByte(t.unit().ordinal());
        out.writeLong(t.amount());
        out.writeLong(t.overdraft());
        out.writeLong(t.reservationId());
        out.writeLong(t.bucketId());
        out.writeLong(t.atMillis());
        out.writeUTF(t.requestId() == null ? "" : t.requestId());
        out.writeLong(e.previousSeqOfFrom());
        out.writeLong(e.previousSeqOfTo());
    }

    private static TransferLog.Entry readTransfer(DataInput in) throws IOException {
        long seq = in.readLong();
        TransferKind kind = CommandCodec.enumOf(TransferKind.values(), in);
        String from = in.readUTF();
        String to = in.readUTF();
        Unit unit = CommandCodec.enumOf(Unit.values(), in);
        long amount = in.readLong();
        long overdraft = in.readLong();
        long reservationId = in.readLong();
        long bucketId = in.readLong();
        long at = in.readLong();
        String requestId = in.readUTF();
        TransferRecord t = new TransferRecord(seq, kind, from, to, unit, amount, overdraft, reservationId, bucketId, at,
                requestId.isEmpty() ? null : requestId);
        return new TransferLog.Entry(t, in.readLong(), in.readLong());
    }
}
