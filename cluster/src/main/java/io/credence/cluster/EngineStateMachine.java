package io.credence.cluster;

import io.credence.charging.CatalogReader;
import io.credence.charging.ChargingEngine;
import io.credence.charging.EngineCodec;
import io.credence.charging.EngineOutcome;
import io.credence.charging.EngineSnapshot;
import io.credence.journal.EngineSetup;
import io.credence.records.UsageRecord;
import io.credence.ledger.LedgerLimits;

import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The charging engine as a Raft state machine: every replica applies the committed entries, in
 * log order, with the same deterministic engine the single-node journal replays, so replicas that
 * applied the same entries hold the same state byte for byte. Snapshots are the engine's own
 * snapshot format (EngineSnapshot), in Ratis' snapshot directory with its MD5 beside them; a
 * replica that falls behind installs the leader's snapshot and replays the log after it.
 *
 * <p>The engine is touched only by Ratis' apply thread (applyTransaction, takeSnapshot,
 * reinitialize); reads run on that thread, after the entry their node sent them with.
 */
final class EngineStateMachine extends BaseStateMachine {
    private static final System.Logger LOG = System.getLogger(EngineStateMachine.class.getName());

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final LedgerLimits limits;
    private final CatalogReader catalogReader;
    private final EngineSetup setup;
    private final LongSupplier clockMillis;
    private final LocalWaiters waiters;
    private final int commandsPerEntryMax;
    private final Consumer<Throwable> onFatal;
    /**
     * Held while the engine is applied to, snapshotted or replaced, so an operator's state query
     * (on an RPC thread) reads it between two entries, never in the middle of one.
     */
    private final Object engineLock = new Object();
    private ChargingEngine engine;
    private final Consumer<org.apache.ratis.protocol.RaftPeerId> onLeaderChanged;
    private final ContractLogReplica contractLog;
    /** A read-only request to the leader: how a replica that installed a snapshot fetches contract log leaves. */
    private final java.util.function.BiFunction<ByteString, byte[], CompletableFuture<byte[]>> askLeader;
    /** Runs the calls followers forward to the leader (see {@link ReplicatedEngine#askLeader}); null until set. */
    private volatile Function<byte[], CompletableFuture<byte[]>> leaderCalls;
    /** The leader's last stamp: entries are stamped with a time that never goes back. */
    private final Object stampLock = new Object();
    private long lastStampMillis;

    EngineStateMachine(LedgerLimits limits, EngineSetup setup, LongSupplier clockMillis,
                       LocalWaiters waiters, int commandsPerEntryMax, Consumer<Throwable> onFatal,
                       Consumer<org.apache.ratis.protocol.RaftPeerId> onLeaderChanged, ContractLogReplica contractLog,
                       java.util.function.BiFunction<ByteString, byte[], CompletableFuture<byte[]>> askLeader) {
        this.onLeaderChanged = onLeaderChanged;
        this.contractLog = contractLog;
        this.askLeader = askLeader;
        this.limits = limits;
        this.setup = setup;
        this.catalogReader = setup.catalogReader();
        this.clockMillis = clockMillis;
        this.waiters = waiters;
        this.commandsPerEntryMax = commandsPerEntryMax;
        this.onFatal = onFatal;
        this.engine = new ChargingEngine(limits, catalogReader);
    }

    /** Ratis tells this node of a new leader (on its own thread: the listener must not block it). */
    @Override
    public void notifyLeaderChanged(org.apache.ratis.protocol.RaftGroupMemberId member,
                                    org.apache.ratis.protocol.RaftPeerId newLeader) {
        if (newLeader != null) {
            onLeaderChanged.accept(newLeader);
        }
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        getLifeCycle().startAndTransition(() -> load(storage.getLatestSnapshot()));
    }

    /**
     * Ratis pauses the state machine before it installs a snapshot from the leader (this replica
     * fell behind the leader's purged log, or just joined) and reinitializes it afterwards.
     */
    @Override
    public void pause() {
        getLifeCycle().transition(LifeCycle.State.PAUSING);
        getLifeCycle().transition(LifeCycle.State.PAUSED);
    }

    @Override
    public void reinitialize() throws IOException {
        getLifeCycle().startAndTransition(() -> load(storage.loadLatestSnapshot()));
    }

    /**
     * A replica that installed the leader's snapshot skipped the log entries before it, and with
     * them any contract log leaves they carried: at the first contract log entry after that, which
     * goes past its log's end, it fetches every leaf the leader has past its own (on the apply
     * thread: nothing may be applied before them). Leaves the leader appended after the snapshot
     * come again in the entries that follow; those find their bytes already there.
     */
    private void fetchContractLogLeaves() throws IOException {
        long fetched = 0;
        while (true) {
            long from = contractLog.size();
            byte[] reply;
            try {
                reply = askLeader.apply(CONTRACT_LEAVES, ByteBuffer.allocate(8).putLong(from).array())
                        .get(LeaderCalls.TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException failed) {
                throw new IOException("could not fetch contract log leaves from " + from + " from the leader: " + failed,
                        failed);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while fetching contract log leaves");
            }
            List<byte[]> leaves = RaftEntry.decode(ByteBuffer.wrap(reply), Integer.MAX_VALUE).commands();
            if (leaves.isEmpty()) {
                break;
            }
            contractLog.append(leaves);
            fetched += leaves.size();
        }
        if (fetched > 0) {
            LOG.log(System.Logger.Level.INFO, "fetched {0} contract log leaves from the leader after its snapshot",
                    fetched);
        }
    }

    /** The leader's side of {@link #fetchContractLogLeaves}: leaves from {@code from}, about 1 MiB at most. */
    private CompletableFuture<Message> contractLogLeaves(long from) {
        try {
            List<byte[]> leaves = new ArrayList<>();
            long bytes = 0;
            for (long i = from; i < contractLog.size() && bytes < LEAVES_BYTES_MAX && leaves.size() < LEAVES_MAX; i++) {
                byte[] leaf = contractLog.entry(i);
                leaves.add(leaf);
                bytes += leaf.length;
            }
            // the entry format carries a list of byte strings already: no second codec
            byte[] reply = new RaftEntry(RaftEntry.COMMANDS, 0, 0, 0, -1, leaves).encode();
            return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(reply)));
        } catch (IOException failed) {
            return CompletableFuture.failedFuture(failed);
        }
    }

    private static final long LEAVES_BYTES_MAX = 1 << 20;
    private static final int LEAVES_MAX = 4096;

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    /** The leader stamps the entry with its clock: every replica then applies it at that time. */
    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        byte[] bytes = request.getMessage().getContent().toByteArray();
        if (bytes.length < RaftEntry.HEADER_BYTES) {
            throw new IOException("a raft entry of " + bytes.length + " bytes is shorter than its header");
        }
        long now;
        synchronized (stampLock) { // startTransaction may run on several RPC threads
            now = Math.max(lastStampMillis, clockMillis.getAsLong());
            lastStampMillis = now;
        }
        ByteBuffer.wrap(bytes).putLong(RaftEntry.AT_MILLIS_OFFSET, now);
        return TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request)
                .setServerRole(RaftProtos.RaftPeerRole.LEADER).setLogData(ByteString.copyFrom(bytes)).build();
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        RaftProtos.LogEntryProto entry = trx.getLogEntry();
        synchronized (engineLock) {
            return apply(entry);
        }
    }

    private CompletableFuture<Message> apply(RaftProtos.LogEntryProto entry) {
        try {
            RaftEntry decoded = RaftEntry.decode(
                    entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer(), commandsPerEntryMax);
            if (decoded.isContractLog()) {
                ContractLogReplica.Appended appended = appendContractLog(decoded);
                updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
                waiters.appliedContractLog(decoded, appended);
                return CompletableFuture.completedFuture(Message.EMPTY);
            }
            List<EngineOutcome> outcomes = new ArrayList<>(decoded.commands().size());
            engine.advanceTo(decoded.atMillis());
            for (byte[] command : decoded.commands()) {
                outcomes.add(engine.apply(EngineCodec.read(command, 0, command.length), decoded.atMillis(),
                        EngineCodec.ledgerFingerprint(command, 0, command.length)));
            }
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
            deliver(outcomes);
            waiters.applied(decoded, engine, outcomes);
            return CompletableFuture.completedFuture(Message.EMPTY);
        } catch (IOException | RuntimeException failed) {
            // a replica that cannot apply a committed entry must not go on with a state the others do not have
            onFatal.accept(new IllegalStateException("raft entry " + entry.getIndex() + " could not be applied: "
                    + failed.getMessage(), failed));
            return CompletableFuture.failedFuture(failed);
        }
    }

    /**
     * Appends a contract log entry if the log is still as long as its sender saw it. Every replica
     * holds the same leaves at every Raft index, so each decides the same: appended, or stale (the
     * sender checked it against a log that another node has since appended to, and checks again).
     * An entry already on this node's log with the same bytes (a restart replays what it applied)
     * counts as appended there.
     */
    private ContractLogReplica.Appended appendContractLog(RaftEntry entry) throws IOException {
        long size = contractLog.size();
        long index = entry.contractLogIndex();
        List<byte[]> leaves = entry.commands();
        if (index == size) {
            contractLog.append(leaves);
            return new ContractLogReplica.Appended.At(index);
        }
        if (index > size && contractLog != ContractLogReplica.NONE) {
            fetchContractLogLeaves(); // it installed a snapshot since its last contract log entry
            size = contractLog.size();
        }
        if (index > size) {
            // only a replica whose contract log lost leaves gets here: appending would leave a hole
            throw new IllegalStateException("the contract log entry goes at leaf " + index + " but this node's "
                    + "contract log holds " + size + " leaves; copy DATA/market from a healthy node");
        }
        if (index + leaves.size() <= size) {
            boolean same = true;
            for (int i = 0; i < leaves.size() && same; i++) {
                same = java.util.Arrays.equals(contractLog.entry(index + i), leaves.get(i));
            }
            if (same) {
                return new ContractLogReplica.Appended.At(index);
            }
        }
        return new ContractLogReplica.Appended.Stale(index, size);
    }

    /**
     * Every replica writes the usage records of what it applied (committed entries only): each node
     * keeps a complete records file, and an entry applied again after a restart writes its records
     * again with the same ids (readers keep one), as the single-node journal does.
     */
    private void deliver(List<EngineOutcome> outcomes) {
        List<UsageRecord> records = new ArrayList<>();
        for (EngineOutcome outcome : outcomes) {
            records.addAll(outcome.records());
            if (outcome instanceof EngineOutcome.Charged charged) {
                charged.result().unrecovered().forEach(setup.unrecovered());
            }
        }
        if (!records.isEmpty()) {
            try {
                setup.records().acceptAll(records);
            } catch (RuntimeException failed) {
                LOG.log(System.Logger.Level.ERROR, records.size() + " usage records not written: " + failed, failed);
            }
        }
    }

    /**
     * The operator's view of this replica (a stale read: this node's own state, no log entry):
     * {@value #STATE_QUERY} answers "applied=INDEX digest=SHA-256" of the engine's snapshot bytes
     * at that index. Replicas that applied the same index hold byte-identical states, so equal
     * digests at an equal index are the proof. It writes the whole state, so it is on demand only.
     */
    @Override
    public CompletableFuture<Message> query(Message request) {
        if (request.getContent().startsWith(CONTRACT_LEAVES)) {
            ByteBuffer from = request.getContent().substring(CONTRACT_LEAVES.size()).asReadOnlyByteBuffer();
            return from.remaining() == 8 ? contractLogLeaves(from.getLong())
                    : CompletableFuture.failedFuture(new IllegalArgumentException("a leaf index is 8 bytes"));
        }
        if (request.getContent().startsWith(LEADER_CALL)) {
            Function<byte[], CompletableFuture<byte[]>> calls = leaderCalls;
            if (calls == null) {
                return CompletableFuture.failedFuture(new IllegalStateException("this node takes no forwarded calls yet"));
            }
            byte[] call = request.getContent().substring(LEADER_CALL.size()).toByteArray();
            return calls.apply(call).thenApply(answer -> Message.valueOf(UnsafeByteOperations.unsafeWrap(answer)));
        }
        if (!STATE_QUERY.equals(request.getContent().toStringUtf8())) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "unknown query '" + request.getContent().toStringUtf8() + "' (only " + STATE_QUERY + ")"));
        }
        try {
            java.security.MessageDigest sha256 = java.security.MessageDigest.getInstance("SHA-256");
            long applied;
            synchronized (engineLock) {
                TermIndex last = getLastAppliedTermIndex();
                applied = last == null ? -1 : last.getIndex();
                try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                        new java.security.DigestOutputStream(OutputStream.nullOutputStream(), sha256), 1 << 16))) {
                    EngineSnapshot.write(engine, out);
                }
            }
            return CompletableFuture.completedFuture(Message.valueOf("applied=" + applied + " digest="
                    + java.util.HexFormat.of().formatHex(sha256.digest())));
        } catch (IOException | java.security.NoSuchAlgorithmException failed) {
            return CompletableFuture.failedFuture(failed);
        }
    }

    /** The query that reads a replica's applied index and the digest of its state. */
    static final String STATE_QUERY = "state-digest";
    /** What starts a call a follower forwards for the leader to run. */
    static final ByteString LEADER_CALL = ByteString.copyFromUtf8("leader-call:");
    /** What starts a replica's request for the leader's contract log leaves from an index. */
    static final ByteString CONTRACT_LEAVES = ByteString.copyFromUtf8("contract-log-leaves:");

    void answerLeaderCalls(Function<byte[], CompletableFuture<byte[]>> calls) {
        this.leaderCalls = calls;
    }

    @Override
    public long takeSnapshot() throws IOException {
        synchronized (engineLock) {
            return snapshot();
        }
    }

    private long snapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        long started = System.nanoTime();
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        Path temporary = file.toPath().resolveSibling(file.getName() + ".tmp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temporary), 1 << 16);
             DataOutputStream data = new DataOutputStream(out)) {
            EngineSnapshot.write(engine, data);
        }
        Files.move(temporary, file.toPath(), StandardCopyOption.ATOMIC_MOVE);
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
        LOG.log(System.Logger.Level.INFO, "raft snapshot at index {0} (term {1}) written in {2} ms",
                last.getIndex(), last.getTerm(), (System.nanoTime() - started) / 1_000_000);
        return last.getIndex();
    }

    private void load(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) {
            return;
        }
        synchronized (engineLock) {
            loadLocked(snapshot);
        }
    }

    private void loadLocked(SingleFileSnapshotInfo snapshot) throws IOException {
        Path file = snapshot.getFile().getPath();
        // the digest Ratis read beside the file against the file's bytes as they are now (a snapshot
        // installed from the leader was checked against the leader's digest as it arrived)
        MD5FileUtil.verifySavedMD5(file.toFile(), MD5FileUtil.computeMd5ForFile(file.toFile()));
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            ChargingEngine loaded = EngineSnapshot.read(new DataInputStream(in), limits, catalogReader);
            loaded.verifyInvariants();
            engine = loaded;
        }
        setLastAppliedTermIndex(snapshot.getTermIndex());
        LOG.log(System.Logger.Level.INFO, "engine loaded from raft snapshot at index {0}", snapshot.getIndex());
    }
}
