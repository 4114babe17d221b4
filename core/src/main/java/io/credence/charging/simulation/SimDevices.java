package io.credence.charging.simulation;

import io.credence.charging.ChargingEngine;
import io.credence.charging.DeviceAnswers;
import io.credence.charging.DeviceDirectory;
import io.credence.charging.DeviceTerms;
import io.credence.charging.DirectoryAnswer;
import io.credence.charging.DirectoryCommand;
import io.credence.charging.EngineCommand;
import io.credence.charging.EngineOutcome;
import io.credence.ledger.Ids;
import io.credence.ledger.ReservationView;
import io.credence.ledger.SequenceView;
import io.credence.ledger.ServiceRef;
import io.credence.records.UsageRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Cloud SIMs as adapters on several nodes drive them: provisioned (again, or for another account),
 * registered with the right secret or a wrong one, unbound, moved between accounts, asking for
 * grants and sending numbered reports, some again, some addressed to the account the SIM had
 * before a move (an adapter that looked just before it). Checked after every step: each SIM's
 * report stream on its current account holds every byte reported once, up to its highest number;
 * every counted report is charged to the account the SIM had when it was applied.
 */
final class SimDevices {
    private static final int SIMS = 4;
    static final DeviceTerms TERMS = new DeviceTerms(20_000, 80_000, 300_000,
            ServiceRef.ratingGroup(SimWorld.DATA_RG), Ids.SYSTEM_ACCOUNT);

    private final SplitMix64 random;
    private final int subscribers;
    /** The account an adapter believes the SIM has (stale now and then, as a node that read before a move). */
    private final Map<String, String> believed = new HashMap<>();
    /** Per SIM: the highest report number counted and the bytes of every report counted. */
    private final Map<String, long[]> counted = new HashMap<>();
    private final Map<String, Long> nextSeq = new HashMap<>();
    /** The token of the device each SIM is bound to, as the device holds it (from its registration's answer). */
    private final Map<String, DeviceDirectory.TokenDigest> tokens = new HashMap<>();
    private long reported;

    SimDevices(SplitMix64 random, int subscribers) {
        this.random = random;
        this.subscribers = subscribers;
    }

    static String simId(int i) {
        return "dsim-" + i;
    }

    /** Reports counted (not duplicates) since the run began. */
    long reported() {
        return reported;
    }

    /** A 32-byte digest standing for a secret or token (the engine only compares them). */
    private static byte[] digest(long seed) {
        SplitMix64 bytes = new SplitMix64(seed);
        byte[] out = new byte[32];
        for (int i = 0; i < out.length; i += 8) {
            long v = bytes.nextLong();
            for (int b = 0; b < 8; b++) {
                out[i + b] = (byte) (v >>> (8 * b));
            }
        }
        return out;
    }

    EngineCommand next() {
        int sim = random.nextInt(SIMS);
        String id = simId(sim);
        String account = SimWorld.accountId(random.nextInt(subscribers));
        int roll = random.nextInt(100);
        if (roll < 10 || !believed.containsKey(id)) {
            return new DirectoryCommand.ProvisionSim(id, believed.getOrDefault(id, account), digest(random.percent(90)
                    ? sim : -sim - 1));
        }
        if (roll < 18) {
            return new DirectoryCommand.RegisterDevice(id, "dev-" + random.nextInt(2),
                    digest(random.percent(85) ? sim : 1000 + sim), digest(random.nextLong()));
        }
        if (roll < 21) {
            return new DirectoryCommand.UnbindDevice(id);
        }
        if (roll < 31) {
            return new DirectoryCommand.MoveSim(id, account, "ops", random.percent(50) ? null : "m-" + roll);
        }
        if (roll < 50) {
            long asked = random.percent(20) ? 0 : random.between(1, 100_000);
            return random.percent(30) ? new EngineCommand.DeviceGrant(id, believed.get(id), asked, TERMS)
                    : new EngineCommand.DeviceGrantByToken(id, token(id), asked, TERMS);
        }
        long seq = nextSeq.getOrDefault(id, 1L);
        List<DeviceAnswers.Report> reports = new ArrayList<>();
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            long number = random.percent(10) ? Math.max(1, seq - 1 - random.nextInt(3)) : seq++;
            reports.add(new DeviceAnswers.Report(number, random.between(0, 30_000), random.percent(10)));
        }
        reports.sort(java.util.Comparator.comparingLong(DeviceAnswers.Report::seq));
        nextSeq.put(id, seq);
        // the adapter's own check (an admin's call) or the device's token checked by the engine
        return random.percent(30) ? new EngineCommand.DeviceReports(id, believed.get(id), "dev-0", reports, TERMS)
                : new EngineCommand.DeviceReportsByToken(id, token(id), reports, TERMS);
    }

    /** The token the SIM's device holds; now and then a stale or made-up one. */
    private DeviceDirectory.TokenDigest token(String simId) {
        DeviceDirectory.TokenDigest held = tokens.get(simId);
        return held != null && random.percent(90) ? held : new DeviceDirectory.TokenDigest(digest(random.nextLong()));
    }

    /**
     * What the adapters learn from an answer, and what it must have done: a counted report's usage
     * record names the account the SIM has now (the command applied atomically with any move).
     */
    void answered(EngineCommand command, EngineOutcome outcome, ChargingEngine engine, Consumer<String> require) {
        switch (outcome) {
            case EngineOutcome.DirectoryChanged changed -> {
                switch (changed.answer()) {
                    case DirectoryAnswer.Registered registered -> tokens.put(registered.simId(),
                            new DeviceDirectory.TokenDigest(((DirectoryCommand.RegisterDevice) command).tokenDigest()));
                    case DirectoryAnswer.SimCreated created -> believed.put(created.simId(), created.accountId());
                    case DirectoryAnswer.SimExists exists -> believed.put(exists.simId(), exists.accountId());
                    case DirectoryAnswer.Moved moved when random.percent(70) -> believed.put(moved.simId(),
                            moved.accountId());
                    default -> { }
                }
            }
            case EngineOutcome.DeviceGranted g when command instanceof EngineCommand.DeviceGrantByToken c -> {
                boolean valid = engine.devices().sim(c.simId()).filter(s -> s.tokenIs(c.token().bytes())).isPresent();
                if (valid == g.answer() instanceof DeviceAnswers.NotAuthenticated) {
                    require.accept("grant for " + c.simId() + " with a " + (valid ? "valid" : "wrong") + " token: "
                            + g.answer());
                }
            }
            case EngineOutcome.DeviceReported r -> {
                String simId;
                List<DeviceAnswers.Report> sentReports;
                if (command instanceof EngineCommand.DeviceReportsByToken c) {
                    simId = c.simId();
                    sentReports = c.reports();
                    boolean valid = engine.devices().sim(simId).filter(s -> s.tokenIs(c.token().bytes())).isPresent();
                    boolean refused = r.answers().stream().allMatch(a -> a instanceof DeviceAnswers.NotAuthenticated);
                    if (valid == refused || refused && !r.records().isEmpty()) {
                        require.accept("reports of " + simId + " with a " + (valid ? "valid" : "wrong") + " token: "
                                + r.answers() + ", " + r.records().size() + " records");
                    }
                } else {
                    EngineCommand.DeviceReports c = (EngineCommand.DeviceReports) command;
                    simId = c.simId();
                    sentReports = c.reports();
                }
                String account = engine.devices().sim(simId).map(DeviceDirectory.Sim::accountId).orElse(null);
                long[] totals = counted.computeIfAbsent(simId, s -> new long[2]);
                for (int i = 0; i < r.answers().size(); i++) {
                    if (r.answers().get(i) instanceof DeviceAnswers.Reported one && !one.duplicate()) {
                        DeviceAnswers.Report sent = sentReports.get(i);
                        if (sent.seq() <= totals[0]) {
                            require.accept("report " + sent.seq() + " of " + simId + " counted again after "
                                    + totals[0]);
                        }
                        totals[0] = sent.seq();
                        totals[1] += sent.bytes();
                        reported++;
                    }
                }
                for (UsageRecord record : r.records()) {
                    if (!record.accountId().equals(account)) {
                        require.accept("report " + record.recordId() + " charged to " + record.accountId()
                                + " while the SIM is on " + account);
                    }
                }
            }
            default -> { }
        }
    }

    /** Each SIM's stream on its current account holds every counted report: the highest number, every byte. */
    void check(ChargingEngine engine, Consumer<String> require) {
        counted.forEach((sim, totals) -> {
            String account = engine.devices().sim(sim).orElseThrow().accountId();
            String stream = "sim." + sim;
            SequenceView s = engine.ledger().sequence(account, stream).orElse(new SequenceView(stream, 0, 0));
            if (s.lastSeq() != totals[0] || s.total() != totals[1]) {
                require.accept(sim + " on " + account + " shows report " + s.lastSeq() + " and " + s.total()
                        + " bytes; counted were " + totals[0] + " and " + totals[1]);
            }
        });
    }

    /** The device grants open now (at most one per SIM). */
    List<ReservationView> openGrants(ChargingEngine engine) {
        List<ReservationView> open = new ArrayList<>();
        for (int i = 0; i < SIMS; i++) {
            engine.ledger().openReservationTagged("dev." + simId(i)).ifPresent(open::add);
        }
        return open;
    }
}
