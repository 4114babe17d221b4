package io.credence.charging;

import io.credence.ledger.Ledger;
import io.credence.ledger.Operation;
import io.credence.ledger.Outcome;
import io.credence.ledger.Rejection;
import io.credence.ledger.ReservationView;
import io.credence.ledger.SequenceView;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The device directory, engine state like balances and sessions: cloud SIMs and the device each
 * is bound to, base stations, terminals' home base stations, suppliers' share rules, the SIMs'
 * move audit trail and the admin requests' first answers. It changes only by
 * {@link DirectoryCommand}s, so it is journaled on one node and replicated in a cluster, and it is
 * in the engine's snapshot. Every table is bounded; past a bound a change is refused with
 * {@link DirectoryAnswer.Full}.
 *
 * <p>Readers get it through {@link EngineView#devices()}, in order with the commands, so a SIM
 * provisioned through one node is known to the next request on any node.
 */
public final class DeviceDirectory {
    public static final int SIMS_MAX = 2_000_000;
    public static final int BASE_STATIONS_MAX = 100_000;
    /** A SIM's audit trail keeps its latest moves; the log line of each move stays in the server log. */
    public static final int MOVES_KEPT_PER_SIM = 100;
    public static final long ADMIN_ANSWER_RETENTION_MILLIS = 86_400_000L;
    public static final int ADMIN_ANSWERS_MAX = 1_000_000;
    /** An admin answer longer than this is not kept (its retry is answered by doing it again, which is idempotent). */
    public static final int ADMIN_ANSWER_CHARS_MAX = 16_384;
    static final int DIGEST_BYTES = 32;

    /** A cloud SIM: whose it is, its secret's digest, the device it is bound to and its token's digest (null until registered). */
    public record Sim(String simId, String accountId, byte[] secretDigest, String deviceId, byte[] tokenDigest) {
        public Sim {
            java.util.Objects.requireNonNull(simId, "simId");
            io.credence.ledger.Ids.requireAccountId(accountId, "accountId");
            secretDigest = requireDigest(secretDigest, "secretDigest");
            if ((deviceId == null) != (tokenDigest == null)) {
                throw new IllegalArgumentException("a bound SIM has a device and a token digest, an unbound one neither");
            }
            tokenDigest = tokenDigest == null ? null : requireDigest(tokenDigest, "tokenDigest");
        }

        /** Whether {@code presented} (a secret's digest) is this SIM's secret, compared in constant time. */
        public boolean secretIs(byte[] presented) {
            return presented != null && sameDigest(presented, secretDigest);
        }

        /** Whether {@code presented} (a token's digest) is the bound device's token, compared in constant time. */
        public boolean tokenIs(byte[] presented) {
            return presented != null && tokenDigest != null && sameDigest(presented, tokenDigest);
        }

        Sim bound(String device, byte[] token) {
            return new Sim(simId, accountId, secretDigest, device, token);
        }

        Sim movedTo(String account) {
            return new Sim(simId, account, secretDigest, deviceId, tokenDigest);
        }
    }

    /** The SHA-256 of a device token as presented (compared by content). */
    public record TokenDigest(byte[] bytes) {
        public TokenDigest {
            bytes = requireDigest(bytes, "token digest");
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof TokenDigest t && java.util.Arrays.equals(bytes, t.bytes);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "TokenDigest[" + String.format("%02x%02x..", bytes[0], bytes[1]) + "]";
        }
    }

    /** One row of a SIM's move audit trail. */
    public record SimMove(long atMillis, String simId, String fromAccount, String toAccount, long lastReportSeq,
                          String byKey, String requestId) {}

    /**
     * A supplier's standing rules.
     *
     * @param maxBytesPerDay   the most it lends per UTC day over all shares, 0 for no limit
     * @param allowedBorrowers SIMs that may borrow, sorted; null for anyone
     */
    public record Rules(long maxBytesPerDay, List<String> allowedBorrowers, long priceMinorPerMb) {
        public static final int ALLOWED_BORROWERS_MAX = 256;

        public Rules {
            if (maxBytesPerDay < 0 || priceMinorPerMb < 0) {
                throw new IllegalArgumentException("maxBytesPerDay and priceMinorPerMb must be >= 0");
            }
            if (allowedBorrowers != null) {
                if (allowedBorrowers.size() > ALLOWED_BORROWERS_MAX) {
                    throw new IllegalArgumentException("more than " + ALLOWED_BORROWERS_MAX + " allowed borrowers");
                }
                allowedBorrowers = allowedBorrowers.stream().sorted().distinct().toList();
            }
        }
    }

    /** An admin request's first answer: its content's fingerprint, the status and body, when it was kept. */
    public record AdminAnswer(String fingerprint, int status, String answer, long atMillis) {
        public AdminAnswer {
            java.util.Objects.requireNonNull(fingerprint, "fingerprint");
            java.util.Objects.requireNonNull(answer, "answer");
        }
    }

    final HashMap<String, Sim> sims = new HashMap<>();
    final HashMap<String, byte[]> baseStations = new HashMap<>();
    final HashMap<String, String> homes = new HashMap<>();
    final HashMap<String, Rules> rules = new HashMap<>();
    final HashMap<String, ArrayDeque<SimMove>> moves = new HashMap<>();
    /** In the order they were kept, which is their age: the eldest is forgotten first. */
    final LinkedHashMap<String, AdminAnswer> adminAnswers = new LinkedHashMap<>();

    // ---------------------------------------------------------------- reads

    public Optional<Sim> sim(String simId) {
        return Optional.ofNullable(sims.get(simId));
    }

    public int simCount() {
        return sims.size();
    }

    /** Whether {@code secretDigest} is the base station's. */
    public boolean baseStationIs(String baseStationId, byte[] secretDigest) {
        byte[] known = baseStations.get(baseStationId);
        return known != null && secretDigest != null && sameDigest(known, secretDigest);
    }

    public boolean baseStationKnown(String baseStationId) {
        return baseStations.containsKey(baseStationId);
    }

    public int baseStationCount() {
        return baseStations.size();
    }

    public Optional<String> homeBaseStation(String simId) {
        return Optional.ofNullable(homes.get(simId));
    }

    public Optional<Rules> rules(String simId) {
        return Optional.ofNullable(rules.get(simId));
    }

    /** The SIM's moves, oldest first (its latest {@link #MOVES_KEPT_PER_SIM}). */
    public List<SimMove> moves(String simId) {
        ArrayDeque<SimMove> of = moves.get(simId);
        return of == null ? List.of() : List.copyOf(of);
    }

    public Optional<AdminAnswer> adminAnswer(String requestId) {
        return Optional.ofNullable(adminAnswers.get(requestId));
    }

    /** The SIM when {@code token} is its bound device's token now. */
    Optional<Sim> bound(String simId, TokenDigest token) {
        Sim sim = sims.get(simId);
        return sim != null && sim.tokenIs(token.bytes) ? Optional.of(sim) : Optional.empty();
    }

    /**
     * The command as it charges: to the SIM's account now (a move applied between the adapter's
     * look and this command is seen), or to the command's account for a SIM the directory never
     * held (journals written before the directory was engine state).
     */
    EngineCommand.DeviceGrant current(EngineCommand.DeviceGrant c) {
        Sim sim = sims.get(c.simId());
        return sim == null || sim.accountId().equals(c.accountId()) ? c
                : new EngineCommand.DeviceGrant(c.simId(), sim.accountId(), c.askedBytes(), c.terms());
    }

    EngineCommand.DeviceReports current(EngineCommand.DeviceReports c) {
        Sim sim = sims.get(c.simId());
        return sim == null || sim.accountId().equals(c.accountId()) ? c
                : new EngineCommand.DeviceReports(c.simId(), sim.accountId(), c.deviceId(), c.reports(), c.terms());
    }

    // ---------------------------------------------------------------- changes

    DirectoryAnswer apply(Ledger ledger, DirectoryCommand command) {
        return switch (command) {
            case DirectoryCommand.ProvisionSim c -> provision(ledger, c);
            case DirectoryCommand.RegisterDevice c -> register(ledger, c);
            case DirectoryCommand.UnbindDevice c -> {
                Sim sim = sims.get(c.simId());
                if (sim == null) {
                    yield new DirectoryAnswer.UnknownSim(c.simId());
                }
                sims.put(c.simId(), sim.bound(null, null));
                yield new DirectoryAnswer.Done();
            }
            case DirectoryCommand.MoveSim c -> move(ledger, c);
            case DirectoryCommand.PutBaseStation c -> {
                if (!baseStations.containsKey(c.baseStationId()) && baseStations.size() >= BASE_STATIONS_MAX) {
                    yield new DirectoryAnswer.Full("base station", BASE_STATIONS_MAX);
                }
                baseStations.put(c.baseStationId(), c.secretDigest());
                yield new DirectoryAnswer.Done();
            }
            case DirectoryCommand.SetHomeBaseStation c -> {
                if (!sims.containsKey(c.simId())) {
                    yield new DirectoryAnswer.UnknownSim(c.simId());
                }
                if (!baseStations.containsKey(c.baseStationId())) {
                    yield new DirectoryAnswer.UnknownBaseStation(c.baseStationId());
                }
                homes.put(c.simId(), c.baseStationId());
                yield new DirectoryAnswer.Done();
            }
            case DirectoryCommand.PutShareRules c -> {
                if (!sims.containsKey(c.simId())) {
                    yield new DirectoryAnswer.UnknownSim(c.simId());
                }
                rules.put(c.simId(), c.rules());
                yield new DirectoryAnswer.Done();
            }
            case DirectoryCommand.RememberAdminAnswer c -> {
                remember(c.requestId(), c.answer(), ledger.nowMillis());
                yield new DirectoryAnswer.Done();
            }
            case DirectoryCommand.RestoreSim c -> {
                if (sims.containsKey(c.sim().simId())) {
                    yield new DirectoryAnswer.Done();
                }
                if (sims.size() >= SIMS_MAX) {
                    yield new DirectoryAnswer.Full("SIM", SIMS_MAX);
                }
                sims.put(c.sim().simId(), c.sim());
                if (!c.moves().isEmpty()) {
                    moves.put(c.sim().simId(), new ArrayDeque<>(c.moves()));
                }
                yield new DirectoryAnswer.Done();
            }
        };
    }

    private DirectoryAnswer provision(Ledger ledger, DirectoryCommand.ProvisionSim c) {
        Sim existing = sims.get(c.simId());
        if (existing != null) {
            return existing.accountId().equals(c.accountId()) && existing.secretIs(c.secretDigest())
                    ? new DirectoryAnswer.SimCreated(c.simId(), c.accountId(), true)
                    : new DirectoryAnswer.SimExists(c.simId(), existing.accountId());
        }
        if (ledger.status(c.accountId()).isEmpty()) {
            return new DirectoryAnswer.UnknownAccount(c.accountId());
        }
        if (sims.size() >= SIMS_MAX) {
            return new DirectoryAnswer.Full("SIM", SIMS_MAX);
        }
        sims.put(c.simId(), new Sim(c.simId(), c.accountId(), c.secretDigest(), null, null));
        return new DirectoryAnswer.SimCreated(c.simId(), c.accountId(), false);
    }

    private DirectoryAnswer register(Ledger ledger, DirectoryCommand.RegisterDevice c) {
        Sim sim = sims.get(c.simId());
        if (sim == null || !sim.secretIs(c.secretDigest())) {
            return new DirectoryAnswer.BadCredentials();
        }
        if (sim.deviceId() != null && !sim.deviceId().equals(c.deviceId())) {
            return new DirectoryAnswer.BoundElsewhere(sim.deviceId());
        }
        sims.put(c.simId(), sim.bound(c.deviceId(), c.tokenDigest()));
        SequenceView stream = reportStream(ledger, sim.accountId(), c.simId());
        return new DirectoryAnswer.Registered(c.simId(), c.deviceId(), sim.accountId(), stream.lastSeq(),
                stream.total());
    }

    /**
     * The ledger's report streams are per account, so the SIM's numbering is carried in the
     * ledger: the new account's stream for the SIM is advanced to the SIM's last report (with its
     * running total), so a report charged to the old account is a duplicate on the new one for ever.
     * The SIM's open grant, a hold on the old account's quota, is released. Both happen in this one
     * command, so every report is charged wholly before the move or wholly after it.
     */
    private DirectoryAnswer move(Ledger ledger, DirectoryCommand.MoveSim c) {
        Sim sim = sims.get(c.simId());
        if (sim == null) {
            return new DirectoryAnswer.UnknownSim(c.simId());
        }
        String from = sim.accountId();
        SequenceView source = reportStream(ledger, from, c.simId());
        if (from.equals(c.toAccountId())) {
            return new DirectoryAnswer.Moved(c.simId(), from, from, false, source.lastSeq(), source.total(),
                    sim.deviceId());
        }
        if (ledger.status(c.toAccountId()).isEmpty()) {
            return new DirectoryAnswer.UnknownAccount(c.toAccountId());
        }
        SequenceView target = reportStream(ledger, c.toAccountId(), c.simId());
        String step = "dev." + c.simId() + ".move" + ledger.nowMillis();
        if (source.lastSeq() > target.lastSeq()) {
            // first, as it is the step that can be refused (an account holds a bounded number of streams)
            Outcome advanced = ledger.engineStep(step, new Operation.Advance(c.toAccountId(),
                    DeviceCharging.stream(c.simId()), source.lastSeq(), Math.max(0, source.total() - target.total())));
            if (!advanced.accepted()) {
                return new DirectoryAnswer.MoveRefused((Rejection) advanced);
            }
        }
        Optional<ReservationView> grant = ledger.openReservationTagged(DeviceCharging.tag(c.simId()));
        if (grant.isPresent()) {
            ledger.engineStep(step + ".release", new Operation.Release(grant.get().reservationId()));
        }
        long lastSeq = Math.max(source.lastSeq(), target.lastSeq());
        sims.put(c.simId(), sim.movedTo(c.toAccountId()));
        ArrayDeque<SimMove> trail = moves.computeIfAbsent(c.simId(), s -> new ArrayDeque<>());
        if (trail.size() >= MOVES_KEPT_PER_SIM) {
            trail.removeFirst();
        }
        trail.addLast(new SimMove(ledger.nowMillis(), c.simId(), from, c.toAccountId(), lastSeq, c.byKey(),
                c.requestId()));
        return new DirectoryAnswer.Moved(c.simId(), from, c.toAccountId(), true, lastSeq,
                Math.max(source.total(), target.total()), sim.deviceId());
    }

    private void remember(String requestId, AdminAnswer answer, long nowMillis) {
        forgetAdminAnswers(nowMillis);
        if (adminAnswers.containsKey(requestId) || answer.answer().length() > ADMIN_ANSWER_CHARS_MAX) {
            return;
        }
        if (adminAnswers.size() >= ADMIN_ANSWERS_MAX) {
            Iterator<String> eldest = adminAnswers.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
        adminAnswers.put(requestId, new AdminAnswer(answer.fingerprint(), answer.status(), answer.answer(), nowMillis));
    }

    /** Forgets answers older than a day: a retry of a forgotten create or move finds the SIM as the first left it. */
    void forgetAdminAnswers(long nowMillis) {
        Iterator<Map.Entry<String, AdminAnswer>> eldest = adminAnswers.entrySet().iterator();
        while (eldest.hasNext()) {
            if (eldest.next().getValue().atMillis() >= nowMillis - ADMIN_ANSWER_RETENTION_MILLIS) {
                return;
            }
            eldest.remove();
        }
    }

    private static SequenceView reportStream(Ledger ledger, String accountId, String simId) {
        String stream = DeviceCharging.stream(simId);
        return ledger.sequence(accountId, stream).orElse(new SequenceView(stream, 0, 0));
    }

    /**
     * Whether two digests are equal, in time that does not depend on where they differ (the core
     * has no java.security; this is MessageDigest.isEqual's contract for equal-length digests).
     */
    static boolean sameDigest(byte[] a, byte[] b) {
        if (a.length != b.length) {
            return false;
        }
        int difference = 0;
        for (int i = 0; i < a.length; i++) {
            difference |= a[i] ^ b[i];
        }
        return difference == 0;
    }

    static byte[] requireDigest(byte[] digest, String name) {
        if (digest == null || digest.length != DIGEST_BYTES) {
            throw new IllegalArgumentException(name + " must be a SHA-256 digest (" + DIGEST_BYTES + " bytes)");
        }
        return digest.clone();
    }

    /** Every home and rule belongs to a known SIM, every home to a known base station, every table within its bound. */
    void verify() {
        if (sims.size() > SIMS_MAX || baseStations.size() > BASE_STATIONS_MAX || adminAnswers.size() > ADMIN_ANSWERS_MAX) {
            throw new IllegalStateException("engine invariant broken: a device directory table is past its bound");
        }
        homes.forEach((sim, station) -> {
            if (!sims.containsKey(sim) || !baseStations.containsKey(station)) {
                throw new IllegalStateException("engine invariant broken: home base station " + station + " of SIM "
                        + sim + " names an unknown SIM or base station");
            }
        });
        for (String sim : rules.keySet()) {
            if (!sims.containsKey(sim)) {
                throw new IllegalStateException("engine invariant broken: share rules of unknown SIM " + sim);
            }
        }
    }
}
