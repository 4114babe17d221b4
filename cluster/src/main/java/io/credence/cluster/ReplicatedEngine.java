package io.credence.cluster;

import io.credence.charging.ChargingEngine;
import io.credence.charging.EngineCodec;
import io.credence.charging.EngineCommand;
import io.credence.charging.EngineOutcome;
import io.credence.charging.EngineSnapshot;
import io.credence.charging.EngineView;
import io.credence.journal.EngineGate;
import io.credence.journal.EngineSetup;
import io.credence.journal.Submission;
import io.credence.ledger.Command;
import io.credence.ledger.Outcome;
import io.credence.ledger.ByteArrayDataOutput;
import io.credence.ledger.LedgerLimits;

import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The charging engine on one node of a Raft group (Apache Ratis). Commands submitted on any node
 * are batched into one log entry per batch and sent to the leader (Ratis' client follows the
 * leader); once the entry is committed on a majority, every replica applies it, and this node
 * answers its callers when its own replica has applied it — the outcome every replica computed.
 * Reads are linearizable: a read goes out with the next entry and runs on the apply
 * thread once everything before it is applied.
 *
 * <p>Bounded like the single-node writer: at most {@code queueMax} commands and reads wait, one
 * entry is in flight per connection to the leader ({@code leaderConnections}); past that a
 * submission is Busy.
 */
public final class ReplicatedEngine implements AutoCloseable, EngineGate {
    private static final System.Logger LOG = System.getLogger(ReplicatedEngine.class.getName());

    private final ClusterConfig config;
    private final RaftGroup group;
    private final RaftServer server;
    private final RaftProperties properties;
    /** This node's connections to the leader: one entry in flight on each. */
    private final LeaderConnections connections;
    private final LocalWaiters waiters;
    private final ExecutorService answers = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("credence-raft-answers").daemon().factory());
    private final ArrayBlockingQueue<Queued> queue;
    /** Producers hold it while they add, so a batch goes into the queue whole or not at all. */
    private final Object enqueueing = new Object();
    /**
     * Entries sent but not yet applied here (a follower applies an entry a little after the leader
     * answered for it): at most this many per connection, so the table of waiters stays bounded.
     */
    private final Semaphore inFlight;
    private static final int UNAPPLIED_PER_CONNECTION = 4;
    private final Thread sender;
    private final EngineStateMachine stateMachine;
    private final ContractLogReplica contractLog;
    private final LeaderCalls leaderCalls;
    private volatile String stopReason;

    /** What waits for the sender: a command, or a read that goes out with the next entry. */
    private sealed interface Queued {
        int bytes();
    }

    private record QueuedCommand(byte[] encoded, CompletableFuture<EngineOutcome> answer) implements Queued {
        @Override
        public int bytes() {
            return 4 + encoded.length;
        }
    }

    private record QueuedRead(LocalWaiters.Read read) implements Queued {
        @Override
        public int bytes() {
            return 0;
        }
    }

    /** Entries for the contract log: sent as a Raft entry of their own. */
    private record QueuedContractLog(long index, List<byte[]> entries,
                                     CompletableFuture<ContractLogReplica.Appended> answer) implements Queued {
        @Override
        public int bytes() {
            return entries.stream().mapToInt(e -> 4 + e.length).sum() + 8;
        }
    }

    private ReplicatedEngine(ClusterConfig config, LedgerLimits limits, EngineSetup setup,
                             LongSupplier clockMillis, Consumer<Throwable> onFatal, ContractLogReplica contractLog)
            throws IOException {
        this.config = config;
        this.queue = new ArrayBlockingQueue<>(config.queueMax());
        this.inFlight = new Semaphore(UNAPPLIED_PER_CONNECTION * config.leaderConnections());
        this.waiters = new LocalWaiters(answers, inFlight::release);
        this.group = groupOf(config);
        this.properties = RaftSettings.of(config);
        this.leaderCalls = new LeaderCalls(properties, group);
        this.contractLog = contractLog;
        this.stateMachine = new EngineStateMachine(limits, setup, clockMillis, waiters,
                config.commandsPerEntryMax(), onFatal, this::leaderChanged, contractLog, this::ask);
        Files.createDirectories(config.storageDir());
        boolean formatted = Files.isDirectory(config.storageDir().resolve(group.getGroupId().getUuid().toString()));
        this.server = RaftServer.newBuilder().setServerId(RaftPeerId.valueOf(config.self())).setGroup(group)
                .setProperties(properties).setStateMachine(stateMachine)
                .setOption(formatted ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT).build();
        this.connections = new LeaderConnections(properties, group, config.leaderConnections(),
                () -> stopReason != null, new InProcessServer(server, group.getGroupId()), LOCAL_SUBMIT_TIMEOUT_MILLIS);
        this.sender = Thread.ofPlatform().name("credence-raft-sender").daemon().unstarted(this::sendLoop);
    }

    /**
     * Starts this node's Raft server (recovering its log and snapshot) and its sender. Storage that
     * does not read back (a snapshot's MD5, a log entry's checksum) is set aside and the node starts
     * empty, to be sent the state by the leader (DamagedStorage).
     */
    public static ReplicatedEngine start(ClusterConfig config, LedgerLimits limits, EngineSetup setup,
                                         LongSupplier clockMillis, Consumer<Throwable> onFatal) throws IOException {
        return start(config, limits, setup, clockMillis, onFatal, ContractLogReplica.NONE);
    }

    /** With this node's copy of the market's contract log, which committed contract log entries go to. */
    public static ReplicatedEngine start(ClusterConfig config, LedgerLimits limits, EngineSetup setup,
                                         LongSupplier clockMillis, Consumer<Throwable> onFatal,
                                         ContractLogReplica contractLog) throws IOException {
        Path groupDir = config.storageDir().resolve(groupOf(config).getGroupId().getUuid().toString());
        List<String> damagedSnapshots = DamagedStorage.damagedSnapshots(groupDir);
        if (!damagedSnapshots.isEmpty()) {
            DamagedStorage.setAside(config.storageDir(), groupDir, damagedSnapshots);
        }
        ReplicatedEngine engine = new ReplicatedEngine(config, limits, setup, clockMillis, onFatal, contractLog);
        try {
            engine.server.start();
        } catch (IOException | RuntimeException failed) {
            engine.closeQuietly();
            if (!DamagedStorage.isLogDamage(failed)) {
                throw failed;
            }
            DamagedStorage.setAside(config.storageDir(), groupDir, List.of("log: " + failed));
            engine = new ReplicatedEngine(config, limits, setup, clockMillis, onFatal, contractLog);
            engine.server.start();
        }
        engine.sender.start();
        return engine;
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException | RuntimeException ignored) {
            // it did not start; the caller reports why
        }
    }

    /** An entry given to this node's own server while it leads is sent through a connection after this long. */
    private static final long LOCAL_SUBMIT_TIMEOUT_MILLIS = 1_000;

    /** Ratis may tell of a leader before the constructor has set the connections; they start without one then. */
    private void leaderChanged(RaftPeerId leader) {
        LeaderConnections now = connections;
        if (now != null) {
            now.leaderChanged(leader);
        }
    }

    static RaftGroup groupOf(ClusterConfig config) {
        List<RaftPeer> peers = config.peers().stream().map(p -> RaftPeer.newBuilder().setId(p.id())
                .setAddress(p.address()).build()).toList();
        UUID id = UUID.nameUUIDFromBytes(("credence-raft-group:" + config.group()).getBytes(StandardCharsets.UTF_8));
        return RaftGroup.valueOf(RaftGroupId.valueOf(id), peers);
    }

    // ---------------------------------------------------------------- submitting

    @Override
    public Submission<Outcome> submit(Command command) {
        Submission<EngineOutcome> submitted = submit(new EngineCommand.LedgerCommand(command));
        return submitted instanceof Submission.Accepted<EngineOutcome> accepted
                ? new Submission.Accepted<>(accepted.answer().thenApply(o -> ((EngineOutcome.LedgerOutcome) o).outcome()))
                : refusedAgain(submitted);
    }

    @Override
    public Submission<Void> submit(EngineCommand command, Executor answersTo, BiConsumer<EngineOutcome, Throwable> then) {
        Submission<EngineOutcome> submitted = submit(command);
        if (submitted instanceof Submission.Accepted<EngineOutcome> accepted) {
            accepted.answer().whenCompleteAsync(then, answersTo);
            return new Submission.Accepted<>(CompletableFuture.completedFuture(null));
        }
        return refusedAgain(submitted);
    }

    /** A refusal (not Accepted) as a submission of another answer type: the same reason. */
    private static <T> Submission<T> refusedAgain(Submission<EngineOutcome> refused) {
        return switch (refused) {
            case Submission.Busy<EngineOutcome> busy -> new Submission.Busy<>(busy.queueMax());
            case Submission.TooLarge<EngineOutcome> tooLarge -> new Submission.TooLarge<>(tooLarge.bytes(),
                    tooLarge.recordBytesMax());
            case Submission.Stopped<EngineOutcome> stopped -> new Submission.Stopped<>(stopped.reason());
            case Submission.Accepted<EngineOutcome> accepted -> throw new IllegalArgumentException("accepted");
        };
    }

    /**
     * The commands as one entry of their own, so they are applied one after the other with
     * nothing between them, and answered together.
     */
    @Override
    public Submission<EngineOutcome[]> submitAll(List<? extends EngineCommand> commands) {
        if (commands.isEmpty() || commands.size() > config.commandsPerEntryMax()) {
            throw new IllegalArgumentException("a batch holds 1.." + config.commandsPerEntryMax() + " commands, not "
                    + commands.size());
        }
        String stopped = stopReason;
        if (stopped != null) {
            return new Submission.Stopped<>(stopped);
        }
        List<byte[]> encoded = new ArrayList<>(commands.size());
        int bytes = RaftEntry.HEADER_BYTES;
        for (EngineCommand command : commands) {
            byte[] one = EngineCodec.encode(command);
            encoded.add(one);
            bytes += 4 + one.length;
        }
        if (bytes > config.entryBytesMax()) {
            return new Submission.TooLarge<>(bytes, config.entryBytesMax());
        }
        // Queued with every other submission, so the sender packs many adapters' batches into one
        // entry: an entry per Diameter read would spend the entries in flight on a few commands each.
        List<CompletableFuture<EngineOutcome>> each = new ArrayList<>(commands.size());
        synchronized (enqueueing) { // all of the batch or none of it
            if (queue.remainingCapacity() < encoded.size()) {
                return new Submission.Busy<>(config.queueMax());
            }
            for (byte[] one : encoded) {
                CompletableFuture<EngineOutcome> answer = new CompletableFuture<>();
                queue.add(new QueuedCommand(one, answer));
                each.add(answer);
            }
        }
        CompletableFuture<EngineOutcome[]> all = CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                .thenApply(done -> each.stream().map(CompletableFuture::join).toArray(EngineOutcome[]::new));
        return new Submission.Accepted<>(all);
    }

    /** Queues a command; its answer is the outcome once the entry holding it is committed and applied here. */
    @Override
    public Submission<EngineOutcome> submit(EngineCommand command) {
        String stopped = stopReason;
        if (stopped != null) {
            return new Submission.Stopped<>(stopped);
        }
        byte[] encoded = EngineCodec.encode(command);
        if (RaftEntry.HEADER_BYTES + 4 + encoded.length > config.entryBytesMax()) {
            return new Submission.TooLarge<>(encoded.length, config.entryBytesMax() - RaftEntry.HEADER_BYTES - 4);
        }
        CompletableFuture<EngineOutcome> answer = new CompletableFuture<>();
        synchronized (enqueueing) {
            if (!queue.offer(new QueuedCommand(encoded, answer))) {
                return new Submission.Busy<>(config.queueMax());
            }
        }
        return new Submission.Accepted<>(answer);
    }

    /**
     * A linearizable read: queued like a command and sent with the next entry, it runs when that
     * entry is applied here, so it sees every command acknowledged anywhere before it was asked.
     */
    @Override
    public <T> Submission<T> queryEngine(Function<EngineView, T> query) {
        String stopped = stopReason;
        if (stopped != null) {
            return new Submission.Stopped<>(stopped);
        }
        CompletableFuture<T> answer = queueRead(query::apply);
        return answer == null ? new Submission.Busy<>(config.queueMax()) : new Submission.Accepted<>(answer);
    }

    /**
     * Appends {@code entries} to the market's contract log at leaf {@code index}, through the Raft
     * log: answered once this node has applied the entry, with where the entries went, or
     * {@link ContractLogReplica.Appended.Stale} when the log was no longer {@code index} long there
     * (every replica decided the same). Null when the queue is full.
     */
    public CompletableFuture<ContractLogReplica.Appended> appendContractLog(long index, List<byte[]> entries) {
        if (stopReason != null) {
            return CompletableFuture.failedFuture(new IllegalStateException("stopped: " + stopReason));
        }
        QueuedContractLog queued = new QueuedContractLog(index, List.copyOf(entries), new CompletableFuture<>());
        if (RaftEntry.HEADER_BYTES + queued.bytes() > config.entryBytesMax()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("contract log entries of "
                    + queued.bytes() + " bytes do not fit one raft entry (" + config.entryBytesMax() + ")"));
        }
        synchronized (enqueueing) {
            if (!queue.offer(queued)) {
                return null;
            }
        }
        return queued.answer();
    }

    /**
     * Sends {@code call} to the leader, which runs it with the handler set by
     * {@link #answerLeaderCalls} there and answers what it returns: how a follower serves what
     * only the leader may decide (the market). Ratis' client finds the leader and follows it.
     */
    public CompletableFuture<byte[]> askLeader(byte[] call) {
        return ask(EngineStateMachine.LEADER_CALL, call);
    }

    /** A read-only request to the leader, {@code kind} saying which of the state machine's queries it is. */
    CompletableFuture<byte[]> ask(ByteString kind, byte[] call) {
        if (stopReason != null) {
            return CompletableFuture.failedFuture(new IllegalStateException("stopped: " + stopReason));
        }
        return leaderCalls.ask(kind, call);
    }

    /** What this node runs when it is the leader and a follower forwards a call (see {@link #askLeader}). */
    public void answerLeaderCalls(Function<byte[], CompletableFuture<byte[]>> calls) {
        stateMachine.answerLeaderCalls(calls);
    }

    @Override
    public int queueDepth() {
        return queue.size();
    }

    @Override
    public boolean writerAlive() {
        return stopReason == null && sender.isAlive();
    }

    @Override
    public int batchMax() {
        return config.commandsPerEntryMax();
    }

    @Override
    public String startReport() {
        return "raft node " + config.self() + " of group " + config.group() + " (" + config.peers().stream()
                .map(p -> p.id() + "=" + p.address()).collect(java.util.stream.Collectors.joining(", "))
                + "); log and snapshots in " + config.storageDir() + "; applied index " + appliedIndex();
    }

    /** The replica's state as its snapshot bytes, read linearizably (tests compare replicas with it). */
    public CompletableFuture<byte[]> stateBytes() {
        return read(engine -> {
            ByteArrayDataOutput out = new ByteArrayDataOutput(1 << 16);
            try {
                EngineSnapshot.write(engine, out);
            } catch (IOException cannot) {
                throw new UncheckedIOException(cannot);
            }
            return java.util.Arrays.copyOf(out.array(), out.size());
        });
    }

    private <T> CompletableFuture<T> read(Function<ChargingEngine, T> read) {
        if (stopReason != null) {
            return CompletableFuture.failedFuture(new IllegalStateException("stopped: " + stopReason));
        }
        CompletableFuture<T> answer = queueRead(read);
        return answer != null ? answer : CompletableFuture.failedFuture(new IllegalStateException(
                "busy: " + config.queueMax() + " submissions queued"));
    }

    /** Queues a read for the next entry; null when the queue is full. */
    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> queueRead(Function<ChargingEngine, T> read) {
        CompletableFuture<Object> answer = new CompletableFuture<>();
        synchronized (enqueueing) {
            if (!queue.offer(new QueuedRead(new LocalWaiters.Read(read::apply, answer)))) {
                return null;
            }
        }
        return (CompletableFuture<T>) answer;
    }

    /**
     * Packs what is queued into entries (up to commandsPerEntryMax items and entryBytesMax bytes)
     * and sends each once one of the connections to the leader is free: while all are busy the
     * queue grows, and the next entry takes all of it, so entries get larger as the load does.
     */
    private void sendLoop() {
        List<Queued> batch = new ArrayList<>(config.commandsPerEntryMax());
        try {
            while (stopReason == null) {
                Queued first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                inFlight.acquire();
                RaftClient client = connections.take();
                if (first instanceof QueuedContractLog log) { // an entry of its own
                    long sequence = waiters.register(LocalWaiters.EntryCallers.ofContractLog(log.answer()));
                    send(client, RaftEntry.contractLog(waiters.origin(), sequence, log.index(), log.entries()), sequence);
                    continue;
                }
                batch.add(first);
                int bytes = RaftEntry.HEADER_BYTES + first.bytes();
                while (batch.size() < config.commandsPerEntryMax()) {
                    Queued next = queue.peek();
                    if (next == null || next instanceof QueuedContractLog
                            || bytes + next.bytes() > config.entryBytesMax()) {
                        break;
                    }
                    batch.add(queue.poll());
                    bytes += next.bytes();
                }
                List<byte[]> commands = new ArrayList<>(batch.size());
                List<CompletableFuture<EngineOutcome>> answersOfBatch = new ArrayList<>(batch.size());
                List<LocalWaiters.Read> reads = new ArrayList<>();
                for (Queued queued : batch) {
                    switch (queued) {
                        case QueuedCommand command -> {
                            commands.add(command.encoded());
                            answersOfBatch.add(command.answer());
                        }
                        case QueuedRead read -> reads.add(read.read());
                        case QueuedContractLog log -> throw new IllegalStateException("a contract log entry goes alone");
                    }
                }
                long sequence = waiters.register(new LocalWaiters.EntryCallers(answersOfBatch, reads));
                send(client, RaftEntry.commands(waiters.origin(), sequence, commands), sequence);
                batch.clear();
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        IllegalStateException stopped = new IllegalStateException("stopped: " + stopReason);
        batch.forEach(q -> failQueued(q, stopped));
        for (Queued left; (left = queue.poll()) != null; ) {
            failQueued(left, stopped);
        }
    }

    private static void failQueued(Queued queued, Throwable failure) {
        switch (queued) {
            case QueuedCommand command -> command.answer().completeExceptionally(failure);
            case QueuedRead read -> read.read().answer().completeExceptionally(failure);
            case QueuedContractLog log -> log.answer().completeExceptionally(failure);
        }
    }

    /** Sends an entry on a free connection; a failure is answered to the entry's callers (see {@link LeaderConnections}). */
    private void send(RaftClient client, RaftEntry entry, long sequence) {
        connections.send(client, Message.valueOf(UnsafeByteOperations.unsafeWrap(entry.encode())),
                failure -> waiters.forget(sequence, failure));
    }

    // ---------------------------------------------------------------- status

    private DivisionInfo info() {
        try {
            return server.getDivision(group.getGroupId()).getInfo();
        } catch (IOException closed) {
            throw new UncheckedIOException(closed);
        }
    }

    public String id() {
        return config.self();
    }

    public boolean isLeader() {
        return info().isLeader();
    }

    public Optional<String> leaderId() {
        RaftPeerId leader = info().getLeaderId();
        return Optional.ofNullable(leader).map(RaftPeerId::toString);
    }

    public long term() {
        return info().getCurrentTerm();
    }

    public long appliedIndex() {
        return info().getLastAppliedIndex();
    }

    public long commitIndex() {
        try {
            return server.getDivision(group.getGroupId()).getRaftLog().getLastCommittedIndex();
        } catch (IOException closed) {
            throw new UncheckedIOException(closed);
        }
    }

    /** LEADER, FOLLOWER, CANDIDATE or LISTENER. */
    public String role() {
        return info().getCurrentRole().name();
    }

    /**
     * Per peer, how many entries its commit index is behind this node's, as this node last heard
     * (Ratis' commit infos: a leader hears of every follower at each append; a follower mostly of
     * the leader).
     */
    public Map<String, Long> lagByPeer() {
        try {
            RaftServer.Division division = server.getDivision(group.getGroupId());
            long own = division.getRaftLog().getLastCommittedIndex();
            Map<String, Long> lag = new TreeMap<>();
            for (RaftProtos.CommitInfoProto info : division.getCommitInfos()) {
                String peer = info.getServer().getId().toStringUtf8();
                if (!peer.equals(config.self())) {
                    lag.put(peer, Math.max(0, own - info.getCommitIndex()));
                }
            }
            return lag;
        } catch (IOException closed) {
            throw new UncheckedIOException(closed);
        }
    }

    @Override
    public Map<String, Object> replication() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("node", config.self());
        status.put("role", role());
        status.put("leader", leaderId().orElse(null));
        status.put("term", term());
        status.put("commitIndex", commitIndex());
        status.put("appliedIndex", appliedIndex());
        status.put("entriesResentToNewLeader", connections.resentToNewLeader());
        status.put("lagByPeer", lagByPeer());
        if (contractLog != ContractLogReplica.NONE) {
            status.put("market", contractLog.status());
        }
        return status;
    }

    /** Entries submitted here and not yet answered. */
    public int unanswered() {
        return waiters.size();
    }

    @Override
    public void close() throws IOException {
        if (stopReason != null) {
            return;
        }
        stopReason = "node " + config.self() + " closed";
        try {
            sender.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        IOException failed = null;
        try {
            connections.close();
        } catch (IOException e) {
            failed = e;
        }
        try {
            leaderCalls.close();
        } catch (IOException e) {
            failed = failed == null ? e : failed;
        }
        try {
            server.close();
        } catch (IOException e) {
            failed = failed == null ? e : failed;
        }
        waiters.failAll(new IllegalStateException(stopReason));
        answers.shutdown();
        LOG.log(System.Logger.Level.INFO, "raft node {0} closed", config.self());
        if (failed != null) {
            throw failed;
        }
    }
}
