package io.credence.charging;

import io.credence.admission.AdmissionControl;
import io.credence.charging.ChargingOutcome.Field;
import io.credence.charging.ChargingOutcome.Result;
import io.credence.ledger.Command;
import io.credence.ledger.CommandCodec;
import io.credence.ledger.Ledger;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Outcome;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;

/**
 * The charging engine: the core's state machine. It holds the {@link Ledger} (accounts, buckets,
 * reservations), the charging sessions, the catalog in force and layered admission's pools, and
 * applies {@link EngineCommand}s one at a time. No clock, threads or I/O: time comes with each
 * command, so the same commands at the same times always reach the same state, which the journal
 * replays and a simulation can check.
 *
 * <p>A charging request of any protocol is one command: the subscriber is found, every service's
 * usage settled and its next grant reserved, the session updated and its answer remembered, all
 * in one step nothing else can interleave with. A retry of the request (the same number, or the
 * same digest for clients that number badly) is answered from the session without touching the
 * ledger, also after a restart, since sessions are state.
 */
public final class ChargingEngine implements EngineView {
    private final Ledger ledger;
    private final CatalogReader catalogReader;
    private final CommandCodec.Fingerprinter fingerprinter = new CommandCodec.Fingerprinter();
    EngineConfig config = EngineConfig.defaults();
    InstalledCatalog catalog;
    AdmissionControl admission;
    /** Layered admissions asked for directly (HTTP), billed or not. */
    final AdmissionDesk desk = new AdmissionDesk();
    /** Data lent between terminals through base stations. */
    final ShareDesk shareDesk = new ShareDesk();
    final Sessions sessions = new Sessions();
    /** Who may ask for device quota and shares: SIMs, base stations, rules. */
    final DeviceDirectory directory = new DeviceDirectory();
    /** Open sessions by account, for a top-up's re-authorisation. */
    final HashMap<String, List<Session>> byAccount = new HashMap<>();

    public ChargingEngine(LedgerLimits limits, CatalogReader catalogReader) {
        this(new Ledger(limits), catalogReader);
    }

    /** Around a ledger restored from a snapshot (its sessions are added by the snapshot reader). */
    ChargingEngine(Ledger ledger, CatalogReader catalogReader) {
        this.ledger = ledger;
        this.catalogReader = catalogReader;
    }

    @Override
    public Ledger ledger() {
        return ledger;
    }

    @Override
    public EngineConfig config() {
        return config;
    }

    /** The catalog's version in force, or empty without one. */
    @Override
    public Optional<String> catalogVersion() {
        return catalog == null ? Optional.empty() : Optional.of(catalog.version());
    }

    public long nowMillis() {
        return ledger.nowMillis();
    }

    /**
     * Applies a command at {@code nowMillis}. {@code fingerprint}: a ledger command's digest when
     * the journal has it already, else 0 (computed here).
     */
    public EngineOutcome apply(EngineCommand command, long nowMillis, long fingerprint) {
        advanceTo(nowMillis);
        return switch (command) {
            case EngineCommand.LedgerCommand c -> new EngineOutcome.LedgerOutcome(ledger.apply(c.command(), nowMillis,
                    fingerprint != 0 ? fingerprint : fingerprinter.of(c.command().operation())));
            case EngineCommand.Charge c -> new EngineOutcome.Charged(charge(c.request()));
            case EngineCommand.InstallCatalog c -> install(c.source());
            case EngineCommand.Configure c -> {
                config = c.config();
                yield new EngineOutcome.Configured(config);
            }
            case EngineCommand.SetAdmissionPolicy c -> new EngineOutcome.AdmissionPolicySet(c.policy(),
                    putInForce(c.policy()));
            case EngineCommand.Admit c -> {
                EngineOutcome.Admitting admitting = new EngineOutcome.Admitting(desk.admit(ledger, admission, c,
                        ledger.nowMillis()));
                ledger.endEngineCommand();
                yield admitting;
            }
            case EngineCommand.DeviceGrant c -> {
                EngineOutcome.DeviceGranted granted = new EngineOutcome.DeviceGranted(DeviceCharging.grant(ledger,
                        directory.current(c)));
                ledger.endEngineCommand();
                yield granted;
            }
            case EngineCommand.DeviceReports c -> {
                EngineOutcome.DeviceReported reported = DeviceCharging.report(ledger, directory.current(c));
                ledger.endEngineCommand();
                yield reported;
            }
            case EngineCommand.DeviceGrantByToken c -> {
                DeviceDirectory.Sim sim = directory.bound(c.simId(), c.token()).orElse(null);
                EngineOutcome.DeviceGranted granted = new EngineOutcome.DeviceGranted(sim == null
                        ? new DeviceAnswers.NotAuthenticated() : DeviceCharging.grant(ledger,
                        new EngineCommand.DeviceGrant(c.simId(), sim.accountId(), c.askedBytes(), c.terms())));
                ledger.endEngineCommand();
                yield granted;
            }
            case EngineCommand.DeviceReportsByToken c -> {
                DeviceDirectory.Sim sim = directory.bound(c.simId(), c.token()).orElse(null);
                EngineOutcome.DeviceReported reported = sim == null
                        ? new EngineOutcome.DeviceReported(java.util.Collections.nCopies(c.reports().size(),
                        new DeviceAnswers.NotAuthenticated()), List.of())
                        : DeviceCharging.report(ledger, new EngineCommand.DeviceReports(c.simId(), sim.accountId(),
                        sim.deviceId(), c.reports(), c.terms()));
                ledger.endEngineCommand();
                yield reported;
            }
            case EngineCommand.EndAdmission c -> {
                EngineOutcome.AdmissionEnded ended = desk.end(ledger, admission, c, ledger.nowMillis());
                ledger.endEngineCommand();
                yield ended;
            }
            case EngineCommand.OpenShare c -> {
                EngineOutcome.ShareOpened opened = new EngineOutcome.ShareOpened(shareDesk.open(ledger, c));
                ledger.endEngineCommand();
                yield opened;
            }
            case EngineCommand.MeterShare c -> {
                EngineOutcome.ShareMetered metered = shareDesk.meter(ledger, c);
                ledger.endEngineCommand();
                yield metered;
            }
            case EngineCommand.CancelShare c -> new EngineOutcome.ShareCancelled(shareDesk.cancel(c));
            case DirectoryCommand c -> {
                EngineOutcome.DirectoryChanged changed = new EngineOutcome.DirectoryChanged(directory.apply(ledger, c));
                ledger.endEngineCommand();
                yield changed;
            }
        };
    }

    public EngineOutcome apply(EngineCommand command, long nowMillis) {
        return apply(command, nowMillis, 0);
    }

    /** A plain ledger command (what most callers outside charging submit). */
    public Outcome apply(Command command, long nowMillis) {
        return ((EngineOutcome.LedgerOutcome) apply(new EngineCommand.LedgerCommand(command), nowMillis)).outcome();
    }

    /** Moves time forward: the ledger's deadlines, then sessions past theirs, are forgotten. */
    public void advanceTo(long nowMillis) {
        ledger.advanceTo(nowMillis);
        for (Session gone : sessions.expire(ledger.nowMillis())) {
            unindex(gone);
        }
        shareDesk.advanceTo(ledger.nowMillis());
    }

    // ---------------------------------------------------------------- charging

    ChargingResult charge(ChargingRequest r) {
        long now = ledger.nowMillis();
        Session s = sessions.get(r.sessionId());
        if (s != null && s.lastOutcome != null && isRetry(s, r)) {
            settle(r.sessionId());
            return ChargingResult.of(s.lastOutcome, s.touchedAtMillis);
        }
        long number = r.number() != ChargingRequest.NUMBER_NEXT ? r.number() : s == null ? 0 : s.lastNumber + 1;
        ChargingResult result = switch (r.kind()) {
            case INITIAL, EVENT -> open(s, r, number, now);
            case UPDATE, TERMINATE -> continued(s, r, number, now);
        };
        ledger.endEngineCommand();
        settle(r.sessionId());
        return result;
    }

    /** A session that is not open after the request goes back to bytes, out of the account index. */
    private void settle(String sessionId) {
        Session ended = sessions.settle(sessionId);
        if (ended != null) {
            unindex(ended);
        }
    }

    /**
     * Diameter numbers its requests: the same number is a retransmission. An Nchf consumer's own
     * numbers are not to be trusted (free5GC sends 0 in every request, so a flagged retransmission
     * with the last request's number may repeat an older request, lost with its answer): the same
     * bytes are a retry. Only a client whose bytes are not known (no digest) is taken at its word.
     */
    private static boolean isRetry(Session s, ChargingRequest r) {
        if (r.number() != ChargingRequest.NUMBER_NEXT) {
            return r.number() == s.lastNumber;
        }
        if (r.digest() != 0) {
            return r.digest() == s.lastDigest;
        }
        return r.retransmission() && r.clientNumber() >= 0 && r.clientNumber() == s.lastClientNumber;
    }

    private ChargingResult open(Session existing, ChargingRequest r, long number, long now) {
        if (existing != null && existing.state == Session.State.UNKNOWN) {
            sessions.remove(existing); // a stray update came first; the session begins now
            existing = null;
        }
        if (existing != null) {
            return refused(Result.INVALID_VALUE, "session " + r.sessionId() + " is already open", Field.REQUEST_KIND);
        }
        if (sessions.size() >= config.sessionsMax()) {
            return refused(Result.TOO_BUSY, "session table full (" + config.sessionsMax() + ")", null);
        }
        Session s = new Session(r.sessionId(), Digests.shortKey(r.sessionId(), 11), r.origin());
        s.startedAtMillis = now;
        RequestContext ctx = context(s, r, number, now);
        ChargingOutcome outcome = r.kind() == ChargingRequest.Kind.INITIAL ? SessionFlow.initial(ctx) : SessionFlow.event(ctx);
        s.state = !outcome.sessionEnded() ? Session.State.OPEN
                : r.kind() == ChargingRequest.Kind.INITIAL && outcome.result() != Result.SUCCESS
                ? Session.State.REFUSED : Session.State.FINISHED;
        remember(s, r, number, outcome, now);
        sessions.add(s);
        if (s.accountId != null) {
            byAccount.computeIfAbsent(s.accountId, a -> new ArrayList<>()).add(s);
        }
        return new ChargingResult(outcome, ctx.records, ctx.unrecovered, now);
    }

    private ChargingResult continued(Session s, ChargingRequest r, long number, long now) {
        if (s != null && r.number() != ChargingRequest.NUMBER_NEXT && number <= s.lastNumber) {
            // an older request of the session, arriving late: it was charged when it came first
            return refused(Result.INVALID_VALUE, "request number " + number + " does not follow " + s.lastNumber,
                    Field.REQUEST_NUMBER);
        }
        if (s != null && s.state == Session.State.REFUSED && r.kind() == ChargingRequest.Kind.TERMINATE) {
            // the client ends a session refused at its start (Kamailio always does): nothing was
            // granted, and what it reports all the same is charged as usage without a grant
            RequestContext ctx = context(s, r, number, now);
            ChargingOutcome ended = SessionFlow.terminate(ctx);
            sessions.finish(s);
            remember(s, r, number, ended, now);
            return new ChargingResult(ended, ctx.records, ctx.unrecovered, now);
        }
        if (s == null || !s.open()) {
            return afterEnd(s, r, number, now);
        }
        RequestContext ctx = context(s, r, number, now);
        ChargingOutcome outcome = r.kind() == ChargingRequest.Kind.UPDATE ? SessionFlow.update(ctx)
                : SessionFlow.terminate(ctx);
        if (outcome.sessionEnded()) {
            sessions.finish(s);
        }
        remember(s, r, number, outcome, now);
        return new ChargingResult(outcome, ctx.records, ctx.unrecovered, now);
    }

    /**
     * An update or termination of a session that is not open: never opened, forgotten, finished
     * or refused. What it reports is charged all the same (to the session's subscriber, else to the
     * one its identities name), the answer is UNKNOWN_SESSION, and the request is kept for its
     * retries, which are not charged again.
     */
    private ChargingResult afterEnd(Session s, ChargingRequest r, long number, long now) {
        if (s == null && sessions.size() >= config.sessionsMax()) {
            return refused(Result.TOO_BUSY, "session table full (" + config.sessionsMax() + ")", null);
        }
        Session target = s;
        if (target == null) {
            target = new Session(r.sessionId(), Digests.shortKey(r.sessionId(), 11), r.origin());
            target.state = Session.State.UNKNOWN;
            target.startedAtMillis = now;
        } else if (target.state == Session.State.UNKNOWN) {
            target.accountId = null; // each stray request names its own subscriber
        }
        RequestContext ctx = context(target, r, number, now);
        ChargingOutcome outcome = SessionFlow.unknownSession(ctx);
        remember(target, r, number, outcome, now);
        if (s == null) {
            sessions.add(target);
        }
        return new ChargingResult(outcome, ctx.records, ctx.unrecovered, now);
    }

    /** Records the request's answer for retries and moves the session's deadline. */
    private void remember(Session s, ChargingRequest r, long number, ChargingOutcome outcome, long now) {
        boolean known = sessions.get(s.id) == s;
        s.lastNumber = number;
        s.lastClientNumber = r.clientNumber();
        s.lastDigest = r.digest();
        s.lastOutcome = outcome;
        s.touchedAtMillis = now;
        s.requests++;
        long keep = s.open() ? config.grantTtlMillis() + config.silentRetentionSeconds() * 1000L
                : config.closedRetentionSeconds() * 1000L;
        s.expiresAtMillis = now + keep;
        if (known) {
            sessions.rescheduled(s);
        }
    }

    private RequestContext context(Session s, ChargingRequest r, long number, long now) {
        return new RequestContext(ledger, config, catalog, admission, s, r, number, now);
    }

    private ChargingResult refused(Result result, String message, Field field) {
        return ChargingResult.of(ChargingOutcome.refused(result, message, field, false), ledger.nowMillis());
    }

    /** Puts back a session a snapshot kept (an ended one goes to bytes, as it would have live). */
    void restore(Session s) {
        sessions.add(s);
        if (!s.open()) {
            sessions.settle(s.id);
        } else if (s.accountId != null) {
            byAccount.computeIfAbsent(s.accountId, a -> new ArrayList<>()).add(s);
        }
    }

    private void unindex(Session gone) {
        if (gone.accountId == null) {
            return;
        }
        List<Session> of = byAccount.get(gone.accountId);
        if (of != null) {
            of.remove(gone);
            if (of.isEmpty()) {
                byAccount.remove(gone.accountId);
            }
        }
    }

    // ---------------------------------------------------------------- catalog

    private EngineOutcome install(byte[] source) {
        CatalogReader.Contents contents;
        try {
            contents = catalogReader.read(source);
        } catch (IllegalArgumentException refused) { // a CatalogException names the field at fault
            return new EngineOutcome.CatalogInstalled(catalog == null ? null : catalog.version(), refused.getMessage());
        }
        catalog = InstalledCatalog.of(source, contents);
        if (contents.admission() != null) {
            putInForce(contents.admission()); // a catalog without an admission section leaves the policy in force
        }
        return new EngineOutcome.CatalogInstalled(catalog.version(), null);
    }

    /** An admission policy from now on: the pools take its capacities, live admissions keep their draws. */
    private AdmissionControl.Reconciled putInForce(io.credence.admission.AdmissionPolicy policy) {
        AdmissionControl.Reconciled reconciled;
        if (admission == null) {
            admission = new AdmissionControl(policy);
            reconciled = new AdmissionControl.Reconciled(0, 0);
        } else {
            reconciled = admission.reconcile(policy, ledger.nowMillis());
        }
        desk.sweep(admission, ledger.nowMillis());
        return reconciled;
    }

    // ---------------------------------------------------------------- queries (read-only)

    /** A session as adapters and the HTTP API show it. */
    public record SessionView(String sessionId, String accountId, ChargingRequest.Origin origin, long lastNumber,
                              String state, long startedAtMillis, long touchedAtMillis, long requests,
                              List<GrantView> grants) {
        public boolean open() {
            return "OPEN".equals(state);
        }
    }

    public record GrantView(ServiceKey key, String unit, long amount, long reservationId, boolean rated) {}

    @Override
    public Optional<SessionView> session(String sessionId) {
        return Optional.ofNullable(sessions.peek(sessionId)).map(ChargingEngine::view);
    }

    /** Open sessions, by id, at most {@code limit}. */
    @Override
    public List<SessionView> sessions(int limit) {
        return sessions.objects().stream().filter(Session::open).sorted(Comparator.comparing(s -> s.id)).limit(limit)
                .map(ChargingEngine::view).toList();
    }

    @Override
    public List<SessionView> sessions(SessionFilter filter, int limit) {
        java.util.Collection<Session> candidates = filter.accountId() != null
                ? byAccount.getOrDefault(filter.accountId(), List.of()) : sessions.objects();
        return candidates.stream().filter(s -> s.open() && filter.matches(s.accountId, s.origin, s.startedAtMillis))
                .sorted(Comparator.comparing(s -> s.id)).limit(limit).map(ChargingEngine::view).toList();
    }

    @Override
    public List<SessionView> sessionsStartingWith(String prefix, int limit) {
        return sessions.objects().stream().filter(s -> s.open() && s.id.startsWith(prefix)).limit(limit)
                .map(ChargingEngine::view).toList();
    }

    /** The open sessions of an account (for a top-up's re-authorisation). */
    @Override
    public List<SessionView> sessionsOf(String accountId) {
        return byAccount.getOrDefault(accountId, List.of()).stream().filter(Session::open).map(ChargingEngine::view)
                .toList();
    }

    @Override
    public Optional<io.credence.admission.AdmissionPolicy> admissionPolicy() {
        return admission == null ? Optional.empty() : Optional.of(admission.policy());
    }

    @Override
    public Optional<AdmissionControl.Report> admissionReport() {
        return admission == null ? Optional.empty() : Optional.of(admission.report());
    }

    @Override
    public java.util.Map<String, AdmissionBilling> admissionBillings() {
        return java.util.Map.copyOf(desk.billings);
    }

    @Override
    public Optional<DataShare> share(String shareId) {
        return Optional.ofNullable(shareDesk.shares.get(shareId));
    }

    @Override
    public Optional<DataShare> shareByRequest(String requestKey) {
        return Optional.ofNullable(shareDesk.byRequest.get(requestKey)).map(shareDesk.shares::get);
    }

    @Override
    public DeviceDirectory devices() {
        return directory;
    }

    @Override
    public int sessionCount() {
        return sessions.size();
    }

    @Override
    public long openSessionCount() {
        return sessions.openCount();
    }

    /** The open sessions (objects; ended ones are kept as bytes, see {@link Sessions#forEachEnded}). */
    Collection<Session> openSessions() {
        return sessions.objects();
    }

    private static SessionView view(Session s) {
        List<GrantView> grants = new ArrayList<>();
        s.grants.forEach((key, g) -> grants.add(new GrantView(key, g.unit().name(), g.amount(), g.reservationId(),
                g.rated() != null)));
        return new SessionView(s.id, s.accountId, s.origin, s.lastNumber, s.state.name(), s.startedAtMillis,
                s.touchedAtMillis, s.requests, grants);
    }

    /** The engine's own invariants, on top of the ledger's: every held grant's reservation is open or lapsed. */
    @Override
    public void verifyInvariants() {
        ledger.verifyInvariants();
        verifySessions();
    }

    /** The sessions' invariants alone (after a snapshot read, whose ledger was just verified). */
    void verifySessions() {
        shareDesk.verify(ledger);
        directory.verify();
        long open = 0;
        for (Session s : sessions.objects()) {
            if (!s.open()) { // ended sessions hold no grants: FinishedSessions refuses one that does
                throw new IllegalStateException("engine invariant broken: session " + s.id + " is " + s.state
                        + " but kept as an object, not as bytes");
            }
            open++;
        }
        if (open != sessions.openCount()) {
            throw new IllegalStateException("engine invariant broken: " + open + " open sessions, counted "
                    + sessions.openCount());
        }
    }
}
