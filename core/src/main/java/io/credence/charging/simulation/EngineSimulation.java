package io.credence.charging.simulation;

import io.credence.charging.ChargingEngine;
import io.credence.charging.ChargingOutcome;
import io.credence.charging.ChargingRequest;
import io.credence.charging.ChargingResult;
import io.credence.charging.EngineCodec;
import io.credence.charging.EngineCommand;
import io.credence.charging.EngineOutcome;
import io.credence.charging.EngineSnapshot;
import io.credence.ledger.ByteArrayDataInput;
import io.credence.ledger.ByteArrayDataOutput;
import io.credence.ledger.Command;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Unit;
import io.credence.records.UsageRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A deterministic simulation of the charging engine, in the spirit of TigerBeetle's VOPR: from a
 * seed, thousands of sessions of three protocols' shapes (Gy, Ro, Nchf) and events interleave at
 * random with retransmissions, late and over-grant reports, abandoned sessions, stray updates,
 * top-ups, suspensions, catalog reloads, clock jumps and crashes, each crash recovering the engine
 * from its last snapshot and the journal records after it, as a restart does. The journal and
 * snapshots are bytes in memory, through the same codecs the disk journal uses.
 *
 * <p>After every step it checks: the ledger's and the engine's invariants (per-unit sums zero,
 * holds equal to open reservations); every open reservation belongs to exactly one grant of an
 * open session (none leaked, none past its deadline); every unit a request reported is in a usage
 * record or reported as unrecovered, exactly once; a retry gets the first answer and charges
 * nothing; replaying the journal reaches the live state byte for byte and writes the same usage
 * records. A failure names the seed and the step, so {@code credence simulate --seed S} replays it.
 */
public final class EngineSimulation {
    /**
     * How big a run is.
     *
     * @param crashesPerMille how many steps in a thousand are a crash
     * @param replayEveryStep replay the whole journal after every step and compare with the live
     *                        state (slow: for hunting the first step a divergence appears at)
     */
    public record Options(int subscribers, int steps, int crashesPerMille, boolean replayEveryStep) {
        public static final Options DEFAULTS = new Options(40, 3_000, 15, false);

        public Options {
            if (subscribers < 1 || subscribers > 100_000 || steps < 1 || crashesPerMille < 0 || crashesPerMille > 1000) {
                throw new IllegalArgumentException("subscribers 1..100000, steps >= 1, crashes 0..1000 per mille");
            }
        }
    }

    /** What a run did. */
    public record Report(long seed, int steps, long requests, long retries, long crashes, long lostBatches,
                         long records, long unrecovered, long catalogs, long admissionsSettled, long sharesSettled,
                         long deviceReports, int sessionsAtEnd) {}

    /** An invariant broken: the seed and step reproduce it. */
    public static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final long seed;

        Failure(long seed, int step, String what, Throwable cause, String trail) {
            super("seed " + seed + ", step " + step + ": " + what + "\n  the steps before it:\n  " + trail, cause);
            this.seed = seed;
        }

        public long seed() {
            return seed;
        }
    }

    private static final long START_MILLIS = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    private static final LedgerLimits LIMITS = new LedgerLimits(10_000, 16, 100_000, 600_000L, 100_000, 900_000L, 1_000);

    private final long seed;
    private final Options options;
    private final SplitMix64 random;
    private ChargingEngine engine;
    private long now = START_MILLIS;
    private final SimJournal journal = new SimJournal(LIMITS, SimWorld.CATALOGS);
    /** Clients with a session going (or a request unanswered), and by session id every client there was. */
    private final List<SimClient> active = new ArrayList<>();
    private final Map<String, SimClient> bySession = new HashMap<>();
    /** Clients whose session just ended: they may still send their last request again. */
    private final java.util.ArrayDeque<SimClient> recentlyEnded = new java.util.ArrayDeque<>();
    /** Every usage record written, by id: one written again (a replay) must be the same record. */
    private final Map<String, UsageRecord> records = new HashMap<>();
    private int step;
    private long requests;
    private long retries;
    private long crashes;
    private long lostBatches;
    private long unrecovered;
    private long catalogs;
    private long admissionsSettled;
    private long commandNumber;

    private final SimShares shares;
    private long sharesSettled;
    private final SimDevices devices;

    private EngineSimulation(long seed, Options options) {
        this.seed = seed;
        this.options = options;
        this.random = new SplitMix64(seed);
        this.engine = new ChargingEngine(LIMITS, SimWorld.CATALOGS);
        this.shares = new SimShares(random, options.subscribers());
        this.devices = new SimDevices(random, options.subscribers());
    }

    /** Runs one seed; throws {@link Failure} naming the seed and step when an invariant breaks. */
    public static Report run(long seed, Options options) {
        return new EngineSimulation(seed, options).run();
    }

    private Report run() {
        try {
            List<EngineCommand> setup = new ArrayList<>();
            setup.add(new EngineCommand.Configure(SimWorld.config(random)));
            for (Command c : SimWorld.subscribers(random, options.subscribers(), now)) {
                setup.add(new EngineCommand.LedgerCommand(c));
            }
            if (random.percent(70)) {
                setup.add(new EngineCommand.InstallCatalog(SimWorld.catalogSource(1)));
            }
            if (random.percent(70)) {
                setup.add(new EngineCommand.SetAdmissionPolicy(SimAdmissions.policy(random)));
            }
            for (EngineCommand c : setup) {
                apply(c, null, true);
            }
            check("setup");
            for (step = 1; step <= options.steps(); step++) {
                one();
                check("after " + lastAction);
            }
            return new Report(seed, options.steps(), requests, retries, crashes, lostBatches, records.size(),
                    unrecovered, catalogs, admissionsSettled, sharesSettled, devices.reported(), engine.sessionCount());
        } catch (Failure failure) {
            throw failure;
        } catch (RuntimeException | AssertionError broken) {
            throw new Failure(seed, step, "while " + lastAction + ": " + broken, broken, trail());
        }
    }

    private String lastAction = "setting up";
    /** The last steps, told in a failure: what led to it. */
    private final java.util.ArrayDeque<String> trail = new java.util.ArrayDeque<>();
    private static final int TRAIL_MAX = 40;

    private void told(String line) {
        trail.addLast("step " + step + " t+" + (now - START_MILLIS) + ": " + line);
        if (trail.size() > TRAIL_MAX) {
            trail.removeFirst();
        }
    }

    private String trail() {
        return String.join("\n  ", trail);
    }

    // ---------------------------------------------------------------- one step

    private void one() {
        now += random.percent(97) ? random.between(0, 2_000) : random.between(10_000, 4_000_000); // a clock jump
        int roll = random.nextInt(1000);
        if (roll < options.crashesPerMille()) {
            crash();
        } else if (roll < 60) {
            lastAction = "a top-up";
            apply(new EngineCommand.LedgerCommand(SimWorld.topUp(random, options.subscribers(), ++commandNumber, now)),
                    null, true);
        } else if (roll < 70) {
            lastAction = "a status change";
            apply(new EngineCommand.LedgerCommand(SimWorld.status(random, options.subscribers(), ++commandNumber)), null,
                    true);
        } else if (roll < 78) {
            lastAction = "a catalog reload";
            catalogs++;
            apply(new EngineCommand.InstallCatalog(SimWorld.catalogSource(1 + random.nextInt(2))), null, true);
        } else if (roll < 82) {
            lastAction = "a new configuration";
            apply(new EngineCommand.Configure(SimWorld.config(random)), null, true);
        } else if (roll < 95) {
            lastAction = "a snapshot";
            takeSnapshot();
        } else if (roll < 160) {
            admissionStep(roll);
        } else if (roll < 200) {
            shareStep();
        } else if (roll < 240) {
            deviceStep();
        } else {
            requestStep(roll);
        }
    }

    private void requestStep(int roll) {
        SimClient unanswered = firstUnanswered();
        if (unanswered != null && random.percent(60)) {
            lastAction = "a retransmission of an unanswered request";
            retransmit(unanswered);
            return;
        }
        if (active.isEmpty() || roll < 250 && bySession.size() < 50_000) {
            SimClient.Shape shape = random.pick(List.of(SimClient.Shape.GY, SimClient.Shape.RO, SimClient.Shape.NCHF));
            SimClient client = new SimClient("sim;" + seed + ";" + bySession.size(), shape,
                    random.nextInt(options.subscribers()), random);
            bySession.put(client.sessionId, client);
            active.add(client);
            if (random.percent(10)) {
                lastAction = "an event";
                send(client, client.event(random));
            } else if (random.percent(3)) {
                lastAction = "a stray update of a session never opened";
                client.nextNumber = 1 + random.nextInt(3);
                send(client, client.update(random, false));
            } else {
                lastAction = "an initial request";
                send(client, client.initial(random));
            }
            return;
        }
        int what = random.nextInt(100);
        if (what < 8 && !recentlyEnded.isEmpty()) {
            SimClient ended = recentlyEnded.peekLast();
            if (now - ended.lastSentAtMillis < 5_000 && ended.lastAnswer != null) {
                lastAction = "a retransmission of a session's last request";
                retransmit(ended);
                return;
            }
        }
        SimClient client = random.pick(active);
        if (client.lastAnswer == null) {
            lastAction = "a retransmission of an unanswered request";
            retransmit(client);
        } else if (what < 16 && now - client.lastSentAtMillis < 5_000) {
            lastAction = "a retransmission";
            retransmit(client);
        } else if (what < 20) {
            lastAction = "abandoning a session";
            client.phase = SimClient.Phase.ABANDONED;
            settle(client);
        } else if (what < 35) {
            lastAction = "a termination";
            send(client, client.terminate(random));
        } else {
            boolean late = what > 92;
            if (late) {
                now += engine.config().validitySeconds() * 1000L + random.between(0, 400_000);
            }
            lastAction = late ? "a late update" : "an update";
            send(client, client.update(random, late));
        }
    }

    /** The last admission command and its answer, to send again. */
    private EngineCommand lastAdmission;
    private EngineOutcome lastAdmissionAnswer;
    private int lastAdmissionStep;
    private String recentAdmission;

    private void admissionStep(int roll) {
        if (lastAdmission != null && roll < 105 && lastAdmissionStep == step - 1) { // the client's own retry, at once
            lastAction = "an admission request sent again";
            EngineOutcome again = apply(lastAdmission, null, false);
            if (lastAdmission instanceof EngineCommand.Admit
                    && lastAdmissionAnswer instanceof EngineOutcome.Admitting first
                    && first.answer() instanceof io.credence.charging.AdmissionAnswers.Answered answered
                    && answered.result() instanceof io.credence.admission.AdmissionResult.Admitted admitted
                    && now < admitted.expiresAtMillis()) { // past its expiry, the retry is an admission anew
                require(again.equals(lastAdmissionAnswer), "a retried admission gets the first answer: first "
                        + lastAdmissionAnswer + ", retry " + again);
            }
            if (lastAdmissionAnswer instanceof EngineOutcome.AdmissionEnded first
                    && first.answer() instanceof io.credence.charging.AdmissionAnswers.Settled settled) {
                require(again instanceof EngineOutcome.AdmissionEnded ended && ended.records().isEmpty()
                        && ended.answer().equals(new io.credence.charging.AdmissionAnswers.Settled(settled.settlement(),
                        true)), "a retried end gets the first settlement and charges nothing: " + again);
            }
            lastAdmission = null;
            return;
        }
        lastAction = roll < 135 ? "an admission" : "the end of an admission";
        lastAdmission = roll < 135 ? SimAdmissions.admit(random, options.subscribers())
                : SimAdmissions.end(random, ++commandNumber, recentAdmission);
        if (lastAdmission instanceof EngineCommand.Admit admit) {
            recentAdmission = admit.admissionId();
        }
        lastAdmissionAnswer = apply(lastAdmission, null, true);
        lastAdmissionStep = step;
    }

    /** A base station's share request; a usage report is sometimes sent twice and must settle nothing again. */
    private void shareStep() {
        EngineCommand command = shares.next();
        lastAction = "a data share's " + command.getClass().getSimpleName();
        EngineOutcome first = apply(command, null, true);
        shares.answered(first);
        if (command instanceof EngineCommand.MeterShare && random.percent(20)) {
            lastAction = "a data share's usage report sent again";
            EngineOutcome again = apply(command, null, false);
            require(again.records().isEmpty(), "a repeated share report settled again: " + again);
        }
        if (first instanceof EngineOutcome.ShareMetered metered) {
            sharesSettled += metered.records().size();
            for (UsageRecord r : metered.records()) {
                require(records.putIfAbsent(r.recordId(), r) == null, "usage record " + r.recordId()
                        + " written by two share reports");
            }
        }
    }

    /** A cloud SIM's administration, grant or reports; a report request is sometimes sent again and counts nothing twice. */
    private void deviceStep() {
        EngineCommand command = devices.next();
        lastAction = "a cloud SIM's " + command.getClass().getSimpleName();
        EngineOutcome first = apply(command, null, true);
        devices.answered(command, first, engine, what -> require(false, what));
        if (command instanceof EngineCommand.DeviceReports && random.percent(15)) {
            lastAction = "a cloud SIM's reports sent again";
            EngineOutcome again = apply(command, null, false);
            require(again.records().isEmpty(), "repeated device reports charged again: " + again);
        }
        for (UsageRecord r : first.records()) {
            require(records.putIfAbsent(r.recordId(), r) == null, "usage record " + r.recordId()
                    + " written by two device reports");
        }
    }

    private SimClient firstUnanswered() {
        for (SimClient c : active) {
            if (c.last != null && c.lastAnswer == null) {
                return c;
            }
        }
        return null;
    }

    /** A client whose session ended or who gave up leaves the active list. */
    private void settle(SimClient client) {
        if (client.phase == SimClient.Phase.ENDED || client.phase == SimClient.Phase.ABANDONED) {
            if (client.lastAnswer != null) {
                active.remove(client);
                if (client.phase == SimClient.Phase.ENDED) {
                    recentlyEnded.addLast(client);
                    if (recentlyEnded.size() > 50) {
                        recentlyEnded.removeFirst();
                    }
                }
            }
        }
    }

    /** A request as the client sends it the first time. */
    private void send(SimClient client, ChargingRequest request) {
        requests++;
        client.last = request;
        client.lastAnswer = null;
        client.lastSentAtMillis = now;
        apply(new EngineCommand.Charge(request), client, true);
        settle(client);
    }

    /**
     * The client sends its last request again: the first answer is due, with nothing charged again
     * (when the first never reached the journal, this is its first application).
     */
    private void retransmit(SimClient client) {
        retries++;
        ChargingRequest again = client.last;
        if (client.shape == SimClient.Shape.NCHF) { // retransmissionIndicator: the body's digest leaves it out
            again = new ChargingRequest(again.sessionId(), again.kind(), again.number(), again.clientNumber(),
                    again.digest(), true, again.action(), again.identities(), again.serviceContext(), again.services(),
                    again.attributes(), again.origin());
        }
        ChargingOutcome first = client.lastAnswer;
        if (first == null) {
            client.lastSentAtMillis = now; // its first application: the engine keeps its answer from now
        }
        EngineOutcome outcome = apply(new EngineCommand.Charge(again), client, first == null);
        if (first != null) {
            ChargingResult result = ((EngineOutcome.Charged) outcome).result();
            require(result.outcome().equals(first), "a retry gets the first answer: first " + first + ", retry "
                    + result.outcome());
            require(result.records().isEmpty() && result.unrecovered().isEmpty(), "a retry charges nothing, "
                    + "yet wrote " + result.records());
            client.last = client.last; // the client's own request stays the one it will report on
        }
        settle(client);
    }

    // ---------------------------------------------------------------- applying, journaling, crashing

    /**
     * Applies a command as the writer does: journaled, then applied; a charge's accounting checked
     * and its answer handed to the client.
     */
    private EngineOutcome apply(EngineCommand command, SimClient client, boolean firstApplication) {
        byte[] encoded = EngineCodec.encode(command);
        long fingerprint = EngineCodec.ledgerFingerprint(encoded, 0, encoded.length);
        journal.append(encoded, now, firstApplication);
        EngineOutcome outcome = engine.apply(command, now, fingerprint);
        told(SimDescriptions.of(command, outcome));
        if (outcome instanceof EngineOutcome.AdmissionEnded ended) {
            admissionsSettled += ended.records().size();
            for (UsageRecord r : ended.records()) {
                require(records.putIfAbsent(r.recordId(), r) == null, "usage record " + r.recordId()
                        + " written by two ends of an admission");
            }
        }
        if (outcome instanceof EngineOutcome.Charged charged) {
            ChargingRequest request = ((EngineCommand.Charge) command).request();
            ChargingResult result = charged.result();
            if (firstApplication) {
                account(request, result);
            }
            if (client != null) {
                if (firstApplication) { // a retry's (none) would hide those of the application it repeats
                    client.lastRecords = result.records().stream().map(UsageRecord::recordId).toList();
                }
                client.answered(client.last, result.outcome());
            }
        }
        return outcome;
    }

    /** Every unit the request reported is in a usage record, or reported as unrecovered: exactly once. */
    private void account(ChargingRequest request, ChargingResult result) {
        for (UsageRecord r : result.records()) {
            UsageRecord earlier = records.putIfAbsent(r.recordId(), r);
            require(earlier == null, "usage record " + r.recordId() + " written by two applications");
            require(r.sessionId().equals(request.sessionId()), "a record of another session: " + r);
        }
        unrecovered += result.unrecovered().size();
        if (request.kind() == ChargingRequest.Kind.EVENT) {
            return;
        }
        Map<Unit, Long> reported = new EnumMap<>(Unit.class);
        for (ChargingRequest.ServiceUsage s : request.services()) {
            if (s.used() != null) {
                s.used().forEach((unit, amount) -> reported.merge(unit, amount, Long::sum));
            }
        }
        Map<Unit, Long> accounted = new EnumMap<>(Unit.class);
        for (UsageRecord r : result.records()) {
            accounted.merge(r.unit(), r.rawUnits(), Long::sum);
        }
        for (ChargingResult.Unrecovered u : result.unrecovered()) {
            if (u.accountId() == null) { // nobody to write a record for: the unrecovered amount is the account
                accounted.merge(u.unit(), u.amount(), Long::sum);
            }
        }
        reported.values().removeIf(v -> v == 0);
        boolean refusedUnread = result.outcome().result() == ChargingOutcome.Result.INVALID_VALUE
                || result.outcome().result() == ChargingOutcome.Result.TOO_BUSY;
        if (refusedUnread && result.records().isEmpty() && result.unrecovered().isEmpty()) {
            return; // refused as a whole before anything was looked at: the client's own fault, it changed nothing
        }
        require(reported.equals(accounted), "reported " + reported + " but records and unrecovered hold " + accounted
                + " (" + request.kind() + " " + request.sessionId() + ", answer " + result.outcome() + ")");
    }

    private void takeSnapshot() {
        journal.snapshot(engine);
    }

    /**
     * The process dies. Either the last record never reached the disk (it is cut from the journal,
     * and its client got no answer and sends the request again), or it did and only the answer was
     * lost (the client sends it again and must get the first answer). Recovery loads the last
     * snapshot and replays the journal after it; the state reached must be the live state, byte for
     * byte (when a record was cut: the live state is that state with the record applied again), and
     * the usage records it writes again the same.
     */
    private void crash() {
        crashes++;
        lastAction = "a crash";
        told("crash");
        engine.advanceTo(now); // the state the process had when it died
        SimClient lastClient = lastClient();
        boolean loseTail = lastClient != null && journal.hasTailAfterSnapshot() && random.percent(50);
        byte[] live = SimJournal.bytesOf(engine);
        if (loseTail) {
            lastAction = "a crash losing the last record";
            lostBatches++;
            SimJournal.Lost lost = journal.cutLast();
            ChargingEngine twin = recover(false);
            twin.apply(SimJournal.decode(lost.bytes()), lost.atMillis(),
                    EngineCodec.ledgerFingerprint(lost.bytes(), 0, lost.bytes().length));
            twin.advanceTo(now);
            byte[] twinBytes = SimJournal.bytesOf(twin);
            require(Arrays.equals(live, twinBytes), "the journal without its last record, and that record "
                    + "applied again, differ from the live state " + SimJournal.difference(live, twinBytes));
            if (lost.first()) {
                // its first application was lost: the retransmission is the first, and writes the records
                lastClient.lastAnswer = null;
                lastClient.lastRecords.forEach(records::remove);
            } // else the lost record was a retry: the first application stands, and its answer is due again
        }
        ChargingEngine recovered = recover(true);
        if (!loseTail) {
            byte[] reached = SimJournal.bytesOf(recovered);
            require(Arrays.equals(live, reached), "replayed state differs from the live state "
                    + SimJournal.difference(live, reached));
        }
        recovered.verifyInvariants();
        engine = recovered;
        boolean answerLostRecently = lastClient != null && lastClient.lastAnswer != null
                && now - lastClient.lastSentAtMillis < 3_000;
        if (lastClient != null && (lastClient.lastAnswer == null || answerLostRecently && random.percent(50))) {
            // its answer never came: the client sends the request again, soon (its own timer, or failover)
            now += random.between(0, 2_000);
            engine.advanceTo(now);
            lastAction = loseTail ? "the retransmission of a request lost with the process"
                    : "the retransmission of a request whose answer was lost";
            if (!active.contains(lastClient)) {
                active.add(lastClient);
            }
            retransmit(lastClient);
        }
    }

    /** The client whose request was the journal's last record, if that record was a charge. */
    private SimClient lastClient() {
        if (!(journal.last() instanceof EngineCommand.Charge charge)) {
            return null;
        }
        SimClient client = bySession.get(charge.request().sessionId());
        return client != null && client.last != null && client.lastAnswer != null
                && sameRequest(client.last, charge.request()) ? client : null;
    }

    /** The same request, whether or not it said it is a retransmission. */
    private static boolean sameRequest(ChargingRequest a, ChargingRequest b) {
        return a.sessionId().equals(b.sessionId()) && a.kind() == b.kind() && a.number() == b.number()
                && a.digest() == b.digest() && a.services().equals(b.services());
    }

    /**
     * The engine a restart recovers; the usage records its replay writes again must be the ones written.
     *
     * @param toNow whether time then moves on to now, as the restarted writer's first tick does
     */
    private ChargingEngine recover(boolean toNow) {
        return journal.recover(outcome -> {
            for (UsageRecord r : outcome.records()) {
                UsageRecord live = records.get(r.recordId());
                require(live == null || live.equals(r), "replay wrote record " + r.recordId() + " differently");
            }
        }, toNow ? now : -1);
    }

    // ---------------------------------------------------------------- invariants after every step

    private void check(String after) {
        if (options.replayEveryStep()) {
            engine.advanceTo(now);
            byte[] live = SimJournal.bytesOf(engine);
            byte[] reached = SimJournal.bytesOf(recover(true));
            require(Arrays.equals(live, reached), "replay after " + after + " differs "
                    + SimJournal.difference(live, reached));
        }
        try {
            engine.advanceTo(now);
            engine.verifyInvariants();
            SimHolds.noneLeaked(engine, shares, devices, what -> require(false, what));
            devices.check(engine, what -> require(false, what));
        } catch (Failure failure) {
            throw failure;
        } catch (RuntimeException | AssertionError broken) {
            throw new Failure(seed, step, after + ": " + broken.getMessage(), broken, trail());
        }
    }

    private void require(boolean condition, String what) {
        if (!condition) {
            throw new Failure(seed, step, what, null, trail());
        }
    }
}
