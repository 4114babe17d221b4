package io.credence.cluster;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One Raft log entry: a batch of encoded engine commands, possibly none (an entry sent only for
 * the reads queued on its node, which run when it is applied there); or entries for the market's
 * contract log ({@link #CONTRACT_LOG}), to be appended at {@code contractLogIndex} if the log is
 * still that long when the entry is applied, and refused on every replica alike if not. The node that
 * submitted it is named ({@code origin}, {@code sequence}) so that, when that node applies the
 * entry, it can hand the outcomes to the callers waiting there; every other replica applies the
 * same commands and drops the outcomes.
 *
 * <pre>
 * u8 kind (1: commands, 2: contract log) | i64 origin | i64 sequence | i64 atMillis | i32 count
 * [kind 2: i64 contractLogIndex]
 * count x (i32 length | length bytes: one command as EngineCodec writes it, or one signed market entry)
 * </pre>
 *
 * {@code atMillis} is restamped by the leader when it accepts the entry, so that every replica
 * applies it at the same time whatever the submitting node's clock says.
 */
record RaftEntry(byte kind, long origin, long sequence, long atMillis, long contractLogIndex, List<byte[]> commands) {
    static final byte COMMANDS = 1;
    static final byte CONTRACT_LOG = 2;
    static final int HEADER_BYTES = 1 + 8 + 8 + 8 + 4;
    /** Where {@code atMillis} sits, for the leader's restamp. */
    static final int AT_MILLIS_OFFSET = 17;

    RaftEntry {
        if (kind != COMMANDS && kind != CONTRACT_LOG) {
            throw new IllegalArgumentException("unknown entry kind " + kind);
        }
        if (kind == CONTRACT_LOG && (contractLogIndex < 0 || commands.isEmpty())) {
            throw new IllegalArgumentException("a contract log entry has an index >= 0 and entries");
        }
        commands = List.copyOf(commands);
    }

    static RaftEntry commands(long origin, long sequence, List<byte[]> commands) {
        return new RaftEntry(COMMANDS, origin, sequence, 0, -1, commands);
    }

    static RaftEntry contractLog(long origin, long sequence, long contractLogIndex, List<byte[]> entries) {
        return new RaftEntry(CONTRACT_LOG, origin, sequence, 0, contractLogIndex, entries);
    }

    boolean isContractLog() {
        return kind == CONTRACT_LOG;
    }

    byte[] encode() {
        int size = HEADER_BYTES + (isContractLog() ? 8 : 0);
        for (byte[] command : commands) {
            size += 4 + command.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(kind).putLong(origin).putLong(sequence).putLong(atMillis).putInt(commands.size());
        if (isContractLog()) {
            out.putLong(contractLogIndex);
        }
        for (byte[] command : commands) {
            out.putInt(command.length).put(command);
        }
        return out.array();
    }

    /**
     * Reads an entry; a malformed one (a bug or damage Raft's own checksums did not catch) is an
     * error that stops the replica rather than being applied in part.
     */
    static RaftEntry decode(ByteBuffer in, int commandsMax) {
        if (in.remaining() < HEADER_BYTES) {
            throw new IllegalStateException("raft entry of " + in.remaining() + " bytes: shorter than its header");
        }
        byte kind = in.get();
        long origin = in.getLong();
        long sequence = in.getLong();
        long atMillis = in.getLong();
        int count = in.getInt();
        if (count < 0 || count > commandsMax) {
            throw new IllegalStateException("raft entry with " + count + " commands (at most " + commandsMax + ")");
        }
        if (kind != COMMANDS && kind != CONTRACT_LOG) {
            throw new IllegalStateException("raft entry of unknown kind " + kind);
        }
        long contractLogIndex = -1;
        if (kind == CONTRACT_LOG) {
            if (in.remaining() < 8 || count == 0) {
                throw new IllegalStateException("contract log raft entry without its index or entries");
            }
            contractLogIndex = in.getLong();
        }
        List<byte[]> commands = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int length = in.remaining() >= 4 ? in.getInt() : -1;
            if (length < 0 || length > in.remaining()) {
                throw new IllegalStateException("raft entry command " + i + ": length " + length + " but "
                        + in.remaining() + " bytes remain");
            }
            byte[] command = new byte[length];
            in.get(command);
            commands.add(command);
        }
        if (in.hasRemaining()) {
            throw new IllegalStateException("raft entry: " + in.remaining() + " bytes after its last command");
        }
        return new RaftEntry(kind, origin, sequence, atMillis, contractLogIndex, commands);
    }
}
