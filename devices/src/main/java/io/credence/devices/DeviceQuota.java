package io.credence.devices;

import io.credence.charging.DeviceAnswers;
import io.credence.charging.DeviceDirectory;
import io.credence.charging.DeviceTerms;
import io.credence.charging.DirectoryAnswer;
import io.credence.charging.DirectoryCommand;
import io.credence.charging.EngineCommand;
import io.credence.charging.EngineOutcome;
import io.credence.journal.EngineGate;
import io.credence.ledger.AccountView;
import io.credence.ledger.BucketView;
import io.credence.ledger.Rejection;
import io.credence.ledger.ReservationView;
import io.credence.ledger.SequenceView;
import io.credence.ledger.Unit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The server side of the cloud-SIM device agent: registration (one SIM, one device), the
 * packages bought for the SIM, pre-authorised grants and usage reports.
 *
 * <p>Grants and reports are the charging engine's commands ({@code DeviceGrant}, {@code
 * DeviceReports}): a grant is a reservation tagged with the SIM (one per SIM, so a retried grant
 * request finds the first); a request's numbered reports are counted on the SIM's report stream
 * and charged in the same command, so nothing can separate "counted" from "charged", and a
 * repeated report is a duplicate forever. The usage records are the engine's. Administration and
 * registration change the engine's device directory ({@link DirectoryCommand}s), so SIMs,
 * bindings and base stations are journaled and replicated like balances.
 */
public final class DeviceQuota {
    public static final String ORIGIN = "device";
    /** At most one warning line per kind in this long; the metrics count every case. */
    static final long WARNING_INTERVAL_MILLIS = 10_000;
    private static final System.Logger LOG = System.getLogger(DeviceQuota.class.getName());

    /** A grant as the agent sees it: what is still held for the SIM. */
    public record Grant(long grantId, long bytes, long expiresAtMillis) {}

    public sealed interface Registration {
        record Registered(String simId, String deviceId, String accountId, String token, long lastReportSeq,
                          long reportedBytes) implements Registration {}

        /** Unknown SIM or wrong secret: the two are not told apart. */
        record BadCredentials() implements Registration {}

        record BoundElsewhere(String deviceId) implements Registration {}
    }

    public sealed interface GrantAnswer {
        record Granted(Grant grant, boolean alreadyOpen) implements GrantAnswer {}

        /** Nothing left to grant: the agent stops data use. */
        record Exhausted(long availableBytes) implements GrantAnswer {}

        record Refused(Rejection rejection) implements GrantAnswer {}

        /** The device's token is not the SIM's bound device's: nothing done. */
        record NotAuthenticated() implements GrantAnswer {}
    }

    public sealed interface ReportAnswer {
        /**
         * @param returnedBytes for a final report, what the grant still held and went back to the balance
         * @param grant         the grant still open after the report, or null
         */
        record Reported(long seq, boolean duplicate, long reportedBytes, long returnedBytes, Grant grant)
                implements ReportAnswer {}

        record Refused(Rejection rejection) implements ReportAnswer {}

        /** The device's token is not the SIM's bound device's: nothing counted. */
        record NotAuthenticated() implements ReportAnswer {}
    }

    /** A SIM as a device sees it: bound, with its account. */
    public record DeviceSim(String simId, String accountId, String deviceId) {}

    public record Packages(long availableBytes, List<BucketView> buckets) {}

    private final LedgerGate ledger;
    private final DeviceQuotaConfig config;
    private final LongAdder reportsOverGrant = new LongAdder();
    private final LongAdder bytesOverGrant = new LongAdder();
    private final RateLimitedLog overGrant;
    private final RateLimitedLog uncharged;

    public DeviceQuota(EngineGate ledger, DeviceQuotaConfig config, LongSupplier clockMillis) {
        this.ledger = new LedgerGate(ledger);
        this.config = config;
        this.overGrant = new RateLimitedLog(LOG, WARNING_INTERVAL_MILLIS, clockMillis);
        this.uncharged = new RateLimitedLog(LOG, WARNING_INTERVAL_MILLIS, clockMillis);
    }

    /** Reports that used more than their grant held (charged beyond it), since start. */
    public long reportsOverGrant() {
        return reportsOverGrant.sum();
    }

    /** The bytes those reports used past their grants. */
    public long bytesOverGrant() {
        return bytesOverGrant.sum();
    }

    /** SIMs provisioned (a read in order with the engine's commands). */
    public int simCount() {
        return ledger.queryEngine(view -> view.devices().simCount());
    }

    // ---- administration

    /**
     * Creates a SIM for an existing account. A SIM that exists is never changed here: the same
     * account and secret again is a retry and answered like the first time, anything else is
     * {@link SimProvisioning.Exists}. A SIM changes account only by {@link #move}, which keeps its
     * report numbering.
     */
    public SimProvisioning provisionSim(String simId, String accountId, String secret) {
        String problem = Names.problem(simId, Names.SIM_ID_LENGTH_MAX);
        if (problem != null) {
            return new SimProvisioning.Invalid("simId", problem);
        }
        problem = Credentials.secretProblem(secret);
        if (problem != null) {
            return new SimProvisioning.Invalid("secret", problem);
        }
        return switch (change(new DirectoryCommand.ProvisionSim(simId, accountId, Credentials.digest(secret)))) {
            case DirectoryAnswer.SimCreated c -> new SimProvisioning.Created(c.simId(), c.accountId(), c.again());
            case DirectoryAnswer.SimExists e -> new SimProvisioning.Exists(e.simId(), e.accountId());
            case DirectoryAnswer.UnknownAccount u -> new SimProvisioning.UnknownAccount(u.accountId());
            case DirectoryAnswer other -> throw unexpected(other);
        };
    }

    /** Frees the SIM from its device (an admin's decision), so another device may register it; false for an unknown SIM. */
    public boolean unbind(String simId) {
        return change(new DirectoryCommand.UnbindDevice(simId)) instanceof DirectoryAnswer.Done;
    }

    /**
     * Gives the SIM to another account (an admin's decision, audited), with its secret and its
     * device binding, in one engine command: the new account's report stream for the SIM starts
     * after the SIM's last report (a report charged to the old account is a duplicate on the new
     * one for ever), and the SIM's open grant, a hold on the old account's quota, is released.
     * Every report is charged wholly before the move or wholly after it, on any node.
     *
     * @param byKey     the API key that asked, for the audit trail
     * @param requestId the admin's request id, for the audit trail (null: none)
     */
    public SimMoveAnswer move(String simId, String toAccountId, String byKey, String requestId) {
        SimMoveAnswer answer = switch (change(new DirectoryCommand.MoveSim(simId, toAccountId, byKey, requestId))) {
            case DirectoryAnswer.Moved m -> new SimMoveAnswer.Moved(m.simId(), m.fromAccountId(), m.accountId(),
                    m.moved(), m.lastReportSeq(), m.reportedBytes(), m.deviceId());
            case DirectoryAnswer.UnknownSim u -> new SimMoveAnswer.UnknownSim(u.simId());
            case DirectoryAnswer.UnknownAccount u -> new SimMoveAnswer.UnknownAccount(u.accountId());
            case DirectoryAnswer.MoveRefused r -> new SimMoveAnswer.Refused(r.rejection());
            case DirectoryAnswer other -> throw unexpected(other);
        };
        if (answer instanceof SimMoveAnswer.Moved m && m.moved()) {
            LOG.log(System.Logger.Level.INFO, "SIM " + simId + " moved from account " + m.fromAccountId() + " to "
                    + toAccountId + " by key " + byKey + (requestId == null ? "" : " (request " + requestId + ")")
                    + ": reports continue after seq " + m.lastReportSeq());
        }
        return answer;
    }

    /** The SIM's moves between accounts, oldest first (its latest {@link DeviceDirectory#MOVES_KEPT_PER_SIM}). */
    public List<DeviceDirectory.SimMove> moves(String simId) {
        return ledger.queryEngine(view -> view.devices().moves(simId));
    }

    /** The first answer to an admin request id (SIM and base-station provisioning, moves, unbinding), if remembered. */
    public Optional<DeviceDirectory.AdminAnswer> rememberedRequest(String requestId) {
        return ledger.queryEngine(view -> view.devices().adminAnswer(requestId));
    }

    /**
     * Remembers an admin request's answer for a day (at most a million of them, the oldest
     * forgotten first): provisioning is rare and retried by hand or by a script, not a network stack.
     */
    public void rememberRequest(String requestId, String fingerprint, int status, String answer) {
        change(new DirectoryCommand.RememberAdminAnswer(requestId, new DeviceDirectory.AdminAnswer(fingerprint, status,
                answer, 0)));
    }

    /** Why the base station cannot be provisioned, or null once it is. */
    public String provisionBaseStation(String id, String secret) {
        String problem = Names.problem(id, Names.BASE_STATION_ID_LENGTH_MAX);
        if (problem != null) {
            return "baseStationId: " + problem;
        }
        problem = Credentials.secretProblem(secret);
        if (problem != null) {
            return "secret: " + problem;
        }
        change(new DirectoryCommand.PutBaseStation(id, Credentials.digest(secret)));
        return null;
    }

    // ---- the device's calls

    /**
     * Binds the SIM to the device with a fresh token. The token is drawn here and only its digest
     * goes into the engine's command, so the command is the same on every replica and the token
     * itself is never stored.
     */
    public Registration register(String simId, String deviceId, String secret) {
        String token = Credentials.newToken();
        return switch (change(new DirectoryCommand.RegisterDevice(simId, deviceId, Credentials.digest(
                secret == null ? "" : secret), Credentials.digest(token)))) {
            case DirectoryAnswer.Registered r -> new Registration.Registered(r.simId(), r.deviceId(), r.accountId(),
                    token, r.lastReportSeq(), r.reportedBytes());
            case DirectoryAnswer.BadCredentials b -> new Registration.BadCredentials();
            case DirectoryAnswer.BoundElsewhere b -> new Registration.BoundElsewhere(b.deviceId());
            case DirectoryAnswer other -> throw unexpected(other);
        };
    }

    /** Sets the terminal's home base station; why not (unknown SIM or base station), or null. */
    public String setHomeBaseStation(String simId, String baseStationId) {
        return switch (change(new DirectoryCommand.SetHomeBaseStation(simId, baseStationId))) {
            case DirectoryAnswer.Done d -> null;
            case DirectoryAnswer.UnknownSim u -> "no SIM '" + simId + "'";
            case DirectoryAnswer.UnknownBaseStation u -> "no base station '" + baseStationId + "'";
            case DirectoryAnswer other -> throw unexpected(other);
        };
    }

    /** The base station that allocates relay resources for the terminal, if it has one. */
    public Optional<String> homeBaseStation(String simId) {
        return ledger.queryEngine(view -> view.devices().homeBaseStation(simId));
    }

    /** Whether {@code secret} is the base station's. */
    public boolean baseStationKnown(String baseStationId, String secret) {
        if (secret == null) {
            return false;
        }
        byte[] presented = Credentials.digest(secret);
        return ledger.queryEngine(view -> view.devices().baseStationIs(baseStationId, presented));
    }

    /** The SIM for support staff (an admin key): no device token needed. */
    public Optional<DeviceSim> adminView(String simId) {
        return ledger.queryEngine(view -> view.devices().sim(simId)).map(sim -> new DeviceSim(sim.simId(),
                sim.accountId(), sim.deviceId() == null ? "" : sim.deviceId()));
    }

    /**
     * The bound SIM when {@code token} is its current device token: a read in order with the
     * engine's commands, so a device registered through one node is known at once on every other.
     */
    public Optional<DeviceSim> authenticate(String simId, String token) {
        if (token == null) {
            return Optional.empty();
        }
        byte[] presented = Credentials.digest(token);
        return ledger.queryEngine(view -> view.devices().sim(simId))
                .filter(sim -> sim.tokenIs(presented))
                .map(sim -> new DeviceSim(sim.simId(), sim.accountId(), sim.deviceId()));
    }

    /** Applies a directory change; a full table is {@link DirectoryFull}. */
    DirectoryAnswer change(DirectoryCommand command) {
        DirectoryAnswer answer = ((EngineOutcome.DirectoryChanged) ledger.apply(command)).answer();
        if (answer instanceof DirectoryAnswer.Full full) {
            throw new DirectoryFull(full.table(), full.max());
        }
        return answer;
    }

    private static IllegalStateException unexpected(DirectoryAnswer answer) {
        return new IllegalStateException("the engine answered a directory change with " + answer);
    }

    /** The buckets that pay for device data, and what a grant could take now. */
    public Packages packages(DeviceSim sim) {
        Optional<AccountView> account = ledger.query(l -> l.account(sim.accountId()));
        List<BucketView> buckets = account.map(a -> a.buckets().stream()
                .filter(b -> b.unit() == Unit.BYTES && b.services().covers(config.service())).toList()).orElse(List.of());
        long available = ledger.query(l -> l.available(sim.accountId(), Unit.BYTES, config.service())).orElse(0L);
        return new Packages(available, buckets);
    }

    /** The SIM's totals: the last report sequence and every byte reported. */
    public SequenceView reported(DeviceSim sim) {
        return ledger.query(l -> l.sequence(sim.accountId(), stream(sim.simId())))
                .orElse(new SequenceView(stream(sim.simId()), 0, 0));
    }

    public Optional<Grant> openGrant(DeviceSim sim) {
        return lookUpGrant(sim).map(DeviceQuota::grantOf);
    }

    /** The SIM's open grant as the ledger holds it now. */
    private Optional<ReservationView> lookUpGrant(DeviceSim sim) {
        return ledger.query(l -> l.openReservationTagged(tag(sim.simId())));
    }

    /**
     * Holds quota for the SIM, asked for by support staff (an admin key, no device token): the open
     * grant if there is one, else a new one of up to {@code askedBytes}.
     */
    public GrantAnswer grant(DeviceSim sim, long askedBytes) {
        // the engine charges the SIM's account as it is when the command is applied (a move may come between)
        return grantAnswer(new EngineCommand.DeviceGrant(sim.simId(), sim.accountId(), Math.max(0, askedBytes),
                terms()));
    }

    /**
     * Holds quota for the SIM, asked for by its device: the engine checks the token against the
     * SIM's binding in the same command (one trip through the engine, and on a cluster the check
     * sees the binding every node sees). Only the token's digest goes into the command.
     */
    public GrantAnswer grant(String simId, String token, long askedBytes) {
        return grantAnswer(new EngineCommand.DeviceGrantByToken(simId, tokenDigest(token), Math.max(0, askedBytes),
                terms()));
    }

    private GrantAnswer grantAnswer(EngineCommand command) {
        return switch (((EngineOutcome.DeviceGranted) ledger.apply(command)).answer()) {
            case DeviceAnswers.Granted g -> new GrantAnswer.Granted(grantOf(g.grant()), g.alreadyOpen());
            case DeviceAnswers.Exhausted e -> new GrantAnswer.Exhausted(e.availableBytes());
            case DeviceAnswers.GrantRefused r -> new GrantAnswer.Refused(r.rejection());
            case DeviceAnswers.NotAuthenticated n -> new GrantAnswer.NotAuthenticated();
        };
    }

    private static DeviceDirectory.TokenDigest tokenDigest(String token) {
        return new DeviceDirectory.TokenDigest(Credentials.digest(token == null ? "" : token));
    }

    /**
     * Counts and charges numbered reports in order, as one engine command: each is a duplicate
     * (already counted) or counted and charged with the others. At most
     * {@link EngineCommand.DeviceReports#REPORTS_MAX}. A {@code last} report returns the grant: its
     * bytes are charged and what it still held goes back to the balance. A report whose grant is
     * gone (expired while the device was offline) is charged from the balance directly; usage
     * beyond what the account can pay is still counted (it happened) and logged as not charged.
     * This one is asked for by support staff (an admin key, no device token).
     */
    public List<ReportAnswer> reportAll(DeviceSim sim, List<DeviceAnswers.Report> reports) {
        // charged wholly to the account the SIM has when the command is applied: before a move or after it
        return reportAnswers(sim.simId(), reports, new EngineCommand.DeviceReports(sim.simId(), sim.accountId(),
                sim.deviceId(), reports, terms()));
    }

    /** As {@link #reportAll(DeviceSim, List)}, sent by the device itself: its token checked in the same command. */
    public List<ReportAnswer> reportAll(String simId, String token, List<DeviceAnswers.Report> reports) {
        return reportAnswers(simId, reports, new EngineCommand.DeviceReportsByToken(simId, tokenDigest(token), reports,
                terms()));
    }

    private List<ReportAnswer> reportAnswers(String simId, List<DeviceAnswers.Report> reports, EngineCommand command) {
        EngineOutcome.DeviceReported reported = (EngineOutcome.DeviceReported) ledger.apply(command);
        String account = reported.records().isEmpty() ? "?" : reported.records().getFirst().accountId();
        List<ReportAnswer> answers = new ArrayList<>(reports.size());
        for (int i = 0; i < reports.size(); i++) {
            answers.add(answerOf(simId, account, reports.get(i), reported.answers().get(i)));
        }
        return answers;
    }

    private ReportAnswer answerOf(String simId, String accountId, DeviceAnswers.Report report,
                                  DeviceAnswers.ReportAnswer a) {
        return switch (a) {
            case DeviceAnswers.NotAuthenticated n -> new ReportAnswer.NotAuthenticated();
            case DeviceAnswers.ReportRefused r -> new ReportAnswer.Refused(r.rejection());
            case DeviceAnswers.Reported r -> {
                if (r.overGrantBytes() > 0) {
                    // the device used more than it was granted: charged (an overdraft of the grant,
                    // within the credit limit), but a well-behaved agent never does this
                    reportsOverGrant.increment();
                    bytesOverGrant.add(r.overGrantBytes());
                    overGrant.warn("SIM " + simId + " (account " + accountId + ") report " + r.seq() + ": "
                            + report.bytes() + " bytes on a grant of "
                            + (report.bytes() - r.overGrantBytes()) + ", " + r.overGrantBytes()
                            + " past the grant (charged as far as the credit limit allows)");
                }
                if (r.unchargedBytes() > 0) {
                    uncharged.warn("SIM " + simId + " report " + r.seq() + ": " + r.unchargedBytes()
                            + " bytes counted but not charged: past the grant and the credit limit");
                }
                yield new ReportAnswer.Reported(r.seq(), r.duplicate(), r.reportedBytes(), r.returnedBytes(),
                        r.grant() == null ? null : grantOf(r.grant()));
            }
        };
    }

    /** The engine's terms for this server's device quota (carried in each command). */
    private DeviceTerms terms() {
        return new DeviceTerms(config.grantBytesDefault(), config.grantBytesMax(), config.grantTtl().toMillis(),
                config.service(), config.systemAccountId());
    }

    private static Grant grantOf(DeviceAnswers.Grant g) {
        return new Grant(g.grantId(), g.bytes(), g.expiresAtMillis());
    }

    private static Grant grantOf(ReservationView r) {
        return new Grant(r.reservationId(), r.amount(), r.expiresAtMillis());
    }

    static String stream(String simId) {
        return "sim." + simId;
    }

    static String tag(String simId) {
        return "dev." + simId;
    }
}
