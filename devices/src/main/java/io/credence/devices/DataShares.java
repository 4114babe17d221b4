package io.credence.devices;

import io.credence.charging.DataShare;
import io.credence.charging.DeviceDirectory;
import io.credence.charging.DirectoryAnswer;
import io.credence.charging.DirectoryCommand;
import io.credence.charging.EngineCommand;
import io.credence.charging.EngineOutcome;
import io.credence.charging.ShareAnswers;
import io.credence.charging.ShareAnswers.Refusal;
import io.credence.charging.ShareTerms;
import io.credence.journal.EngineGate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Data lent from one terminal to another through a base station: the adapter between the device
 * API and the charging engine, where the shares live ({@code OpenShare}, {@code MeterShare},
 * {@code CancelShare}: one journaled command each, the share and its holds changed together).
 *
 * <p>Here: who is asking. Opening checks, in this order, the base station's credentials, both
 * terminals' device tokens and that they are two users, then reads the supplier's standing rules;
 * the engine checks, in the same command, that both accounts are active, the rules (allowed
 * borrower, daily maximum), the supplier's remaining data and, for a sale, that the borrower can
 * pay. The first failure is the refusal and nothing is held. A retried open (the same base station
 * and request id) is answered with the share it opened.
 */
public final class DataShares {
    private static final System.Logger LOG = System.getLogger(DataShares.class.getName());

    private final LedgerGate engine;
    private final DeviceQuota devices;
    private final ShareTerms terms;
    private final LongAdder reportsOverLimit = new LongAdder();
    private final RateLimitedLog overLimit;

    /** @param terms how shares are held: the service and system account, the holds' lifetime, the table's bound */
    public DataShares(EngineGate engine, DeviceQuota devices, ShareTerms terms, LongSupplier clockMillis) {
        this.engine = new LedgerGate(engine);
        this.devices = devices;
        this.terms = terms;
        this.overLimit = new RateLimitedLog(LOG, DeviceQuota.WARNING_INTERVAL_MILLIS, clockMillis);
    }

    /** The terms from device quota's service and system account. */
    public static ShareTerms terms(DeviceQuotaConfig quota, java.time.Duration holdTtl, int sharesMax) {
        return new ShareTerms(quota.service(), quota.systemAccountId(), holdTtl.toMillis(), sharesMax,
                ShareTerms.ENDED_RETENTION_DEFAULT_MILLIS);
    }

    /** Usage reports whose total was past their share's limit (the excess is not settled), since start. */
    public long reportsOverLimit() {
        return reportsOverLimit.sum();
    }

    /** Whether {@code secret} is the base station's. */
    public boolean baseStationKnown(String baseStationId, String secret) {
        return devices.baseStationKnown(baseStationId, secret);
    }

    public ShareRules rules(String simId) {
        return engine.queryEngine(view -> view.devices().rules(simId)).map(ShareRules::of)
                .orElse(ShareRules.GIFT_TO_ANYONE);
    }

    /** Puts the supplier's standing rules in force; false for a SIM the directory does not hold. */
    public boolean putRules(String simId, ShareRules rules) {
        return devices.change(new DirectoryCommand.PutShareRules(simId, rules.forEngine()))
                instanceof DirectoryAnswer.Done;
    }

    public Optional<DataShare> share(String shareId) {
        return engine.queryEngine(view -> view.share(shareId));
    }

    public ShareAnswers.Open open(String baseStationId, String baseStationSecret, String requestId, String borrowerSim,
                                  String borrowerToken, String supplierSim, String supplierToken, long bytes) {
        if (bytes <= 0 || Names.problem(requestId, Names.REQUEST_ID_LENGTH_MAX) != null) {
            throw new IllegalArgumentException("bytes must be > 0 and requestId a valid id");
        }
        String requestKey = baseStationId + "/" + requestId;
        // everything the open is decided on, read at one moment: on a node of a Raft group each
        // read is a trip through the group, and an open used to make five of them before its command
        byte[] stationDigest = baseStationSecret == null ? null : Credentials.digest(baseStationSecret);
        OpenView seen = engine.queryEngine(view -> new OpenView(
                stationDigest != null && view.devices().baseStationIs(baseStationId, stationDigest),
                view.shareByRequest(requestKey), view.devices().sim(borrowerSim), view.devices().sim(supplierSim),
                view.devices().rules(supplierSim)));
        if (!seen.stationKnown()) {
            return new ShareAnswers.Refused(Refusal.BASE_STATION_IDENTITY, "base station '" + baseStationId
                    + "' is unknown or its secret is wrong");
        }
        if (seen.first().isPresent()) {
            return new ShareAnswers.Opened(seen.first().get(), true);
        }
        Optional<DeviceDirectory.Sim> borrower = seen.borrower().filter(sim -> tokenIs(sim, borrowerToken));
        if (borrower.isEmpty()) {
            return new ShareAnswers.Refused(Refusal.BORROWER_IDENTITY, "borrower terminal '" + borrowerSim
                    + "' is not registered or its token is wrong");
        }
        Optional<DeviceDirectory.Sim> supplier = seen.supplier().filter(sim -> tokenIs(sim, supplierToken));
        if (supplier.isEmpty()) {
            return new ShareAnswers.Refused(Refusal.SUPPLIER_IDENTITY, "supplier terminal '" + supplierSim
                    + "' is not registered or its token is wrong");
        }
        if (borrowerSim.equals(supplierSim) || borrower.get().accountId().equals(supplier.get().accountId())) {
            return new ShareAnswers.Refused(Refusal.SAME_TERMINAL, "borrower and supplier are the same user");
        }
        ShareRules rules = seen.rules().map(ShareRules::of).orElse(ShareRules.GIFT_TO_ANYONE);
        EngineOutcome.ShareOpened opened = (EngineOutcome.ShareOpened) engine.apply(new EngineCommand.OpenShare(
                shareId(requestKey), requestKey, baseStationId, supplierSim, supplier.get().accountId(), borrowerSim,
                borrower.get().accountId(), bytes, rules.allows(borrowerSim),
                rules.maxBytesPerDay() == null ? 0 : rules.maxBytesPerDay(), rules.priceMinorPerMb(), terms));
        return opened.answer();
    }

    /**
     * A report from the base station: {@code totalBytes} the borrower used so far under this share.
     * {@code last} ends the share: the rest of the holds go back.
     */
    public ShareAnswers.Meter meter(String baseStationId, String shareId, long totalBytes, boolean last) {
        if (totalBytes < 0) {
            throw new IllegalArgumentException("totalBytes must be >= 0");
        }
        ShareAnswers.Meter answer = ((EngineOutcome.ShareMetered) engine.apply(new EngineCommand.MeterShare(shareId,
                baseStationId, totalBytes, last, terms))).answer();
        if (answer instanceof ShareAnswers.Metered metered && metered.overLimitBytes() > 0) {
            // the base station served past the limit (it was told cutOff at the limit): only the
            // limit is settled; the answer says how much was not, and this is counted
            reportsOverLimit.increment();
            overLimit.warn("share " + shareId + ": base station " + baseStationId + " reports " + totalBytes
                    + " bytes on a limit of " + metered.share().limitBytes() + ": " + metered.overLimitBytes()
                    + " bytes past it are not settled");
        }
        return answer;
    }

    /** Either user stops the share: the base station is told to cut off at its next report, which settles it. */
    public ShareAnswers.Cancel cancel(String shareId, String simId, String token) {
        Optional<DataShare> found = share(shareId);
        if (found.isEmpty()) {
            return new ShareAnswers.UnknownShare(shareId);
        }
        boolean party = simId.equals(found.get().borrowerSim()) || simId.equals(found.get().supplierSim());
        if (!party || devices.authenticate(simId, token).isEmpty()) {
            return new ShareAnswers.NotAParty(shareId);
        }
        return ((EngineOutcome.ShareCancelled) engine.apply(new EngineCommand.CancelShare(shareId, simId))).answer();
    }

    /** What an open is decided on, read from the engine at one moment. */
    private record OpenView(boolean stationKnown, Optional<DataShare> first, Optional<DeviceDirectory.Sim> borrower,
                            Optional<DeviceDirectory.Sim> supplier, Optional<DeviceDirectory.Rules> rules) {}

    /** A bound SIM whose device token is {@code token}. */
    private static boolean tokenIs(DeviceDirectory.Sim sim, String token) {
        return token != null && sim.tokenIs(Credentials.digest(token));
    }

    /** The same base station and request id always name the same share, so a retried open finds it. */
    static String shareId(String requestKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(requestKey.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
