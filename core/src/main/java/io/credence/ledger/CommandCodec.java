package io.credence.ledger;

import io.credence.ledger.Operation.Advance;
import io.credence.ledger.Operation.BindIdentity;
import io.credence.ledger.Operation.Commit;
import io.credence.ledger.Operation.CreateAccount;
import io.credence.ledger.Operation.Linked;
import io.credence.ledger.Operation.Release;
import io.credence.ledger.Operation.Reserve;
import io.credence.ledger.Operation.Step;
import io.credence.ledger.Operation.TopUp;
import io.credence.ledger.Operation.Transfer;
import io.credence.ledger.Operation.UnbindIdentity;
import io.credence.ledger.Operation.UpdateAccount;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binary form of commands, for the journal and for request fingerprints. Layout of a command:
 *
 * <pre>
 *   requestId : modified UTF-8 (u16 length + bytes)
 *   tag       : u8   1 CreateAccount  2 UpdateAccount  3 TopUp  4 Transfer
 *                    5 Reserve        6 Commit         7 Release 8 Linked
 *                    9 BindIdentity  10 UnbindIdentity 11 Reserve with a tag
 *                   12 Advance
 *   fields    : per tag, in record component order; longs are 8 bytes big-endian,
 *               enums one byte (ordinal, 0xFF for "not given"), optional values
 *               preceded by a presence byte
 * </pre>
 *
 * Decoding a damaged record throws {@link IOException}; the journal's checksum makes that rare
 * and the caller treats it as corruption.
 */
public final class CommandCodec {
    private static final int CREATE_ACCOUNT = 1;
    private static final int UPDATE_ACCOUNT = 2;
    private static final int TOP_UP = 3;
    private static final int TRANSFER = 4;
    private static final int RESERVE = 5;
    private static final int COMMIT = 6;
    private static final int RELEASE = 7;
    private static final int LINKED = 8;
    private static final int BIND_IDENTITY = 9;
    private static final int UNBIND_IDENTITY = 10;
    private static final int RESERVE_TAGGED = 11;
    private static final int ADVANCE = 12;
    private static final int ABSENT = 0xFF;

    private CommandCodec() {}

    public static void write(DataOutput out, Command command) throws IOException {
        out.writeUTF(command.requestId());
        writeOperation(out, command.operation());
    }

    public static Command read(DataInput in) throws IOException {
        String requestId = in.readUTF();
        String problem = Ids.requestIdProblem(requestId);
        if (problem != null) {
            throw new IOException("decoded request id is invalid: " + problem);
        }
        return new Command(requestId, readOperation(in));
    }

    public static void writeOperation(DataOutput out, Operation operation) throws IOException {
        switch (operation) {
            case CreateAccount op -> {
                out.writeByte(CREATE_ACCOUNT);
                out.writeUTF(op.accountId());
                out.writeByte(op.kind().ordinal());
                writeLimits(out, op.creditLimits());
            }
            case UpdateAccount op -> {
                out.writeByte(UPDATE_ACCOUNT);
                out.writeUTF(op.accountId());
                out.writeByte(op.status() == null ? ABSENT : op.status().ordinal());
                out.writeBoolean(op.creditLimits() != null);
                if (op.creditLimits() != null) {
                    writeLimits(out, op.creditLimits());
                }
            }
            case BindIdentity op -> {
                out.writeByte(BIND_IDENTITY);
                out.writeByte(op.type().ordinal());
                out.writeUTF(op.value());
                out.writeUTF(op.accountId());
            }
            case UnbindIdentity op -> {
                out.writeByte(UNBIND_IDENTITY);
                out.writeByte(op.type().ordinal());
                out.writeUTF(op.value());
            }
            case Linked op -> {
                out.writeByte(LINKED);
                out.writeByte(op.steps().size());
                for (Step step : op.steps()) {
                    writeOperation(out, step);
                }
            }
            case Step step -> writeStep(out, step);
        }
    }

    private static void writeStep(DataOutput out, Step step) throws IOException {
        switch (step) {
            case TopUp op -> {
                out.writeByte(TOP_UP);
                out.writeUTF(op.sourceAccountId());
                out.writeUTF(op.accountId());
                out.writeByte(op.unit().ordinal());
                out.writeLong(op.amount());
                out.writeBoolean(op.bucket() != null);
                if (op.bucket() != null) {
                    writeBucketSpec(out, op.bucket());
                }
            }
            case Transfer op -> {
                out.writeByte(TRANSFER);
                out.writeUTF(op.fromAccountId());
                out.writeUTF(op.toAccountId());
                out.writeByte(op.unit().ordinal());
                out.writeLong(op.amount());
                writeService(out, op.service());
            }
            case Reserve op -> {
                // an untagged reservation keeps the original layout; the tag follows the ttl otherwise
                out.writeByte(op.tag() == null ? RESERVE : RESERVE_TAGGED);
                out.writeUTF(op.accountId());
                out.writeUTF(op.counterpartyId());
                out.writeByte(op.unit().ordinal());
                out.writeLong(op.amount());
                writeService(out, op.service());
                out.writeLong(op.ttlMillis());
                if (op.tag() != null) {
                    out.writeUTF(op.tag());
                }
            }
            case Commit op -> {
                out.writeByte(COMMIT);
                out.writeLong(op.reservationId());
                out.writeLong(op.amount());
                out.writeBoolean(op.overdraft());
            }
            case Release op -> {
                out.writeByte(RELEASE);
                out.writeLong(op.reservationId());
            }
            case Advance op -> {
                out.writeByte(ADVANCE);
                out.writeUTF(op.accountId());
                out.writeUTF(op.stream());
                out.writeLong(op.seq());
                out.writeLong(op.amount());
            }
        }
    }

    public static Operation readOperation(DataInput in) throws IOException {
        return readOperation(in, in.readUnsignedByte());
    }

    private static Operation readOperation(DataInput in, int tag) throws IOException {
        try {
            return switch (tag) {
                case CREATE_ACCOUNT -> new CreateAccount(in.readUTF(), enumOf(AccountKind.values(), in), readLimits(in));
                case UPDATE_ACCOUNT -> {
                    String accountId = in.readUTF();
                    int status = in.readUnsignedByte();
                    Map<Unit, Long> limits = in.readBoolean() ? readLimits(in) : null;
                    yield new UpdateAccount(accountId, status == ABSENT ? null : enumAt(AccountStatus.values(), status),
                            limits);
                }
                case TOP_UP -> new TopUp(in.readUTF(), in.readUTF(), enumOf(Unit.values(), in), in.readLong(),
                        in.readBoolean() ? readBucketSpec(in) : null);
                case TRANSFER -> new Transfer(in.readUTF(), in.readUTF(), enumOf(Unit.values(), in), in.readLong(),
                        readService(in));
                case RESERVE -> new Reserve(in.readUTF(), in.readUTF(), enumOf(Unit.values(), in), in.readLong(),
                        readService(in), in.readLong());
                case RESERVE_TAGGED -> new Reserve(in.readUTF(), in.readUTF(), enumOf(Unit.values(), in),
                        in.readLong(), readService(in), in.readLong(), in.readUTF());
                case COMMIT -> new Commit(in.readLong(), in.readLong(), in.readBoolean());
                case RELEASE -> new Release(in.readLong());
                case ADVANCE -> new Advance(in.readUTF(), in.readUTF(), in.readLong(), in.readLong());
                case BIND_IDENTITY -> new BindIdentity(enumOf(IdentityType.values(), in), in.readUTF(), in.readUTF());
                case UNBIND_IDENTITY -> new UnbindIdentity(enumOf(IdentityType.values(), in), in.readUTF());
                case LINKED -> readLinked(in);
                default -> throw new IOException("unknown operation tag " + tag);
            };
        } catch (IllegalArgumentException invalid) {
            throw new IOException("decoded operation is invalid: " + invalid.getMessage(), invalid);
        }
    }

    private static Linked readLinked(DataInput in) throws IOException {
        int count = in.readUnsignedByte();
        if (count > Linked.STEPS_MAX) {
            throw new IOException("linked chain of " + count + " steps");
        }
        List<Step> steps = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int tag = in.readUnsignedByte();
            // Checked before decoding: nested chains would otherwise recurse as deep as the input allows.
            if (tag == LINKED || !(readOperation(in, tag) instanceof Step step)) {
                throw new IOException("linked step " + i + " is not a step");
            }
            steps.add(step);
        }
        return new Linked(steps);
    }

    static void writeService(DataOutput out, ServiceRef service) throws IOException {
        out.writeLong(service.ratingGroup());
        out.writeLong(service.serviceId());
    }

    static ServiceRef readService(DataInput in) throws IOException {
        long ratingGroup = in.readLong();
        long serviceId = in.readLong();
        return ratingGroup == ServiceRef.NONE && serviceId == ServiceRef.NONE ? ServiceRef.ANY
                : new ServiceRef(ratingGroup, serviceId);
    }

    static void writeBucketSpec(DataOutput out, BucketSpec spec) throws IOException {
        out.writeLong(spec.validFromMillis());
        out.writeLong(spec.validUntilMillis());
        out.writeInt(spec.priority());
        writeFilter(out, spec.services());
    }

    static BucketSpec readBucketSpec(DataInput in) throws IOException {
        return new BucketSpec(in.readLong(), in.readLong(), in.readInt(), readFilter(in));
    }

    static void writeFilter(DataOutput out, ServiceFilter filter) throws IOException {
        writeSortedIds(out, filter.ratingGroups());
        writeSortedIds(out, filter.serviceIds());
    }

    static ServiceFilter readFilter(DataInput in) throws IOException {
        Set<Long> ratingGroups = readIds(in);
        Set<Long> serviceIds = readIds(in);
        return ratingGroups.isEmpty() && serviceIds.isEmpty() ? ServiceFilter.ALL
                : new ServiceFilter(ratingGroups, serviceIds);
    }

    /** Sorted so that equal filters encode (and fingerprint) identically whatever the set's order. */
    private static void writeSortedIds(DataOutput out, Set<Long> ids) throws IOException {
        out.writeByte(ids.size());
        for (long id : ids.stream().sorted().toList()) {
            out.writeLong(id);
        }
    }

    private static Set<Long> readIds(DataInput in) throws IOException {
        int count = in.readUnsignedByte();
        if (count > ServiceFilter.ENTRIES_MAX) {
            throw new IOException("service filter of " + count + " entries");
        }
        Set<Long> ids = new HashSet<>();
        for (int i = 0; i < count; i++) {
            ids.add(in.readLong());
        }
        return ids;
    }

    static void writeLimits(DataOutput out, Map<Unit, Long> limits) throws IOException {
        Map<Unit, Long> ordered = limits.isEmpty() ? Map.of() : new EnumMap<>(limits);
        out.writeByte(ordered.size());
        for (Map.Entry<Unit, Long> e : ordered.entrySet()) {
            out.writeByte(e.getKey().ordinal());
            out.writeLong(e.getValue());
        }
    }

    static Map<Unit, Long> readLimits(DataInput in) throws IOException {
        int count = in.readUnsignedByte();
        if (count > Unit.count()) {
            throw new IOException("credit limits for " + count + " units");
        }
        Map<Unit, Long> limits = new EnumMap<>(Unit.class);
        for (int i = 0; i < count; i++) {
            limits.put(enumOf(Unit.values(), in), in.readLong());
        }
        return limits;
    }

    static <E extends Enum<E>> E enumOf(E[] values, DataInput in) throws IOException {
        return enumAt(values, in.readUnsignedByte());
    }

    static <E extends Enum<E>> E enumAt(E[] values, int ordinal) throws IOException {
        if (ordinal >= values.length) {
            throw new IOException("no " + values[0].getDeclaringClass().getSimpleName() + " with ordinal " + ordinal);
        }
        return values[ordinal];
    }

    /**
     * A stable 64-bit fingerprint of encoded bytes (FNV-1a with a final avalanche), the same in
     * every JVM so that a request id's fingerprint survives replay.
     */
    public static long fingerprint(byte[] bytes, int offset, int length) {
        long h = 0xcbf29ce484222325L;
        for (int i = offset; i < offset + length; i++) {
            h ^= bytes[i] & 0xFF;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }

    /** Fingerprints operations with one reused buffer; not thread-safe, like the ledger. */
    public static final class Fingerprinter {
        private final ByteArrayDataOutput scratch = new ByteArrayDataOutput(256);

        public long of(Operation operation) {
            scratch.reset();
            try {
                writeOperation(scratch, operation);
            } catch (IOException impossible) {
                throw new UncheckedIOException("in-memory output cannot fail", impossible);
            }
            return fingerprint(scratch.array(), 0, scratch.size());
        }
    }
}
