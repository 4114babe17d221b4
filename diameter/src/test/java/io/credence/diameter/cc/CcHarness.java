package io.credence.diameter.cc;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.peer.LocalIdentity;
import io.credence.diameter.transport.DiameterClient;
import io.credence.diameter.transport.DiameterServer;
import io.credence.diameter.transport.TransportConfig;
import io.credence.journal.DurableEngine;
import io.credence.journal.JournalConfig;
import io.credence.journal.Submission;
import io.credence.ledger.LedgerView;
import io.credence.ledger.AccountKind;
import io.credence.ledger.BucketSpec;
import io.credence.ledger.Command;
import io.credence.ledger.IdentityType;
import io.credence.ledger.Ids;
import io.credence.ledger.Ledger;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Operation;
import io.credence.ledger.Outcome;
import io.credence.ledger.ServiceFilter;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A whole credit-control server on loopback for scenario tests: a durable ledger in a temporary
 * directory, the Diameter listener and a client acting as a gateway.
 */
final class CcHarness implements AutoCloseable {
    static final LocalIdentity OCS = new LocalIdentity("ocs.credence.test", "credence.test",
            List.of(new byte[] {127, 0, 0, 1}), 0, "credence", 1);
    static final LocalIdentity PGW = new LocalIdentity("pgw.operator.test", "operator.test",
            List.of(new byte[] {127, 0, 0, 1}), 10415, "test-pgw", 1);

    final DurableEngine ledger;
    final CreditControlServer cc;
    final DiameterServer server;
    private final List<DiameterClient> clients = new ArrayList<>();
    private final AtomicLong endToEnd = new AtomicLong(1);

    CcHarness(Path dir, CreditControlConfig config) throws Exception {
        this(dir, config, JournalConfig.DEFAULTS);
    }

    CcHarness(Path dir, CreditControlConfig config, JournalConfig journal) throws Exception {
        this(dir, config, journal, Set.of(PGW.originHost()));
    }

    /** @param allowedPeers who may connect: the gateway, or a relay agent in front of it */
    CcHarness(Path dir, CreditControlConfig config, Set<String> allowedPeers) throws Exception {
        this(dir, config, JournalConfig.DEFAULTS, allowedPeers);
    }

    private CcHarness(Path dir, CreditControlConfig config, JournalConfig journal, Set<String> allowedPeers)
            throws Exception {
        this(dir, config, journal, allowedPeers, () -> null, io.credence.records.UsageSink.NONE);
    }

    /** With a rating catalog in force. */
    CcHarness(Path dir, CreditControlConfig config, io.credence.rating.RatingEngine rating) throws Exception {
        this(dir, config, JournalConfig.DEFAULTS, Set.of(PGW.originHost()), () -> rating,
                io.credence.records.UsageSink.NONE);
    }

    /** With the catalog in force read at each grant (so a test can reload it), and usage records going to {@code usage}. */
    CcHarness(Path dir, CreditControlConfig config, java.util.function.Supplier<io.credence.rating.RatingEngine> rating,
              io.credence.records.UsageSink usage) throws Exception {
        this(dir, config, JournalConfig.DEFAULTS, Set.of(PGW.originHost()), rating, usage);
    }

    private CcHarness(Path dir, CreditControlConfig config, JournalConfig journal, Set<String> allowedPeers,
                      java.util.function.Supplier<io.credence.rating.RatingEngine> rating,
                      io.credence.records.UsageSink usage) throws Exception {
        ledger = DurableEngine.open(dir, journal, LedgerLimits.DEFAULTS, System::currentTimeMillis, e -> { },
                new io.credence.journal.EngineSetup(catalogs, usage, u -> { }));
        await(ledger.submit(new io.credence.charging.EngineCommand.Configure(config.engineConfig())));
        io.credence.rating.RatingEngine initial = rating.get();
        if (initial != null) {
            install(initial.catalog());
        }
        DiameterServer[] holder = new DiameterServer[1];
        cc = new CreditControlServer(ledger, config, OCS, host -> holder[0].peers().find(host));
        server = DiameterServer.start(TransportConfig.defaults("127.0.0.1", 0), OCS, allowedPeers, cc);
        holder[0] = server;
    }

    /** Catalogs by the name their source bytes carry: the engine installs them by source, as from a file. */
    private final TestCatalogs catalogs = new TestCatalogs();

    /** Puts a catalog in force, as a reload does. */
    void install(io.credence.rating.Catalog catalog) {
        io.credence.charging.EngineOutcome.CatalogInstalled installed = (io.credence.charging.EngineOutcome.CatalogInstalled)
                await(ledger.submit(new io.credence.charging.EngineCommand.InstallCatalog(catalogs.sourceOf(catalog))));
        if (!installed.installed()) {
            throw new IllegalStateException("catalog refused: " + installed.refusal());
        }
    }

    /** Open sessions as the engine has them. */
    List<io.credence.charging.ChargingEngine.SessionView> sessions(int limit) {
        return await(ledger.queryEngine(view -> view.sessions(limit)));
    }

    java.util.Optional<io.credence.charging.ChargingEngine.SessionView> session(String sessionId) {
        return await(ledger.queryEngine(view -> view.session(sessionId)));
    }

    DiameterClient connect() throws Exception {
        return connect(request -> null);
    }

    DiameterClient connect(Function<DiameterMessage, DiameterMessage> serverRequests) throws Exception {
        return connect(server.port(), PGW, serverRequests);
    }

    /** A client on a loopback port: the server's, or an agent's in front of it; closed with the harness. */
    DiameterClient connect(int port, LocalIdentity identity, Function<DiameterMessage, DiameterMessage> serverRequests)
            throws Exception {
        DiameterClient client = DiameterClient.connect("127.0.0.1", port, identity, DiameterClient.Options.defaults(),
                serverRequests);
        clients.add(client);
        return client;
    }

    /** An account with a main balance, reachable by an MSISDN. */
    String subscriber(String msisdn, Unit unit, long amount) {
        String account = "acct-" + msisdn;
        apply(new Operation.CreateAccount(account, AccountKind.SUBSCRIBER, Map.of()));
        if (amount > 0) {
            apply(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, account, unit, amount, null));
        }
        apply(new Operation.BindIdentity(IdentityType.E164, msisdn, account));
        return account;
    }

    void bucket(String account, Unit unit, long amount, long ratingGroup) {
        apply(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, account, unit, amount,
                BucketSpec.unlimited(10, ServiceFilter.ratingGroups(ratingGroup))));
    }

    Outcome apply(Operation operation) {
        Outcome outcome = await(ledger.submit(new Command(UUID.randomUUID().toString(), operation)));
        if (!outcome.accepted()) {
            throw new IllegalStateException("setup failed: " + outcome);
        }
        return outcome;
    }

    long available(String account, Unit unit, ServiceRef service) {
        return await(ledger.query(l -> l.available(account, unit, service).orElseThrow()));
    }

    long available(String account, Unit unit) {
        return available(account, unit, ServiceRef.ANY);
    }

    int openReservations() {
        return await(ledger.query(LedgerView::openReservationCount));
    }

    long lastTransferSeq() {
        return await(ledger.query(LedgerView::lastTransferSeq));
    }

    <T> T query(Function<LedgerView, T> query) {
        return await(ledger.query(query));
    }

    static <T> T await(Submission<T> submission) {
        try {
            return ((Submission.Accepted<T>) submission).answer().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    CcrBuilder ccr(String sessionId, int type, long number) {
        return CcrBuilder.request(sessionId, PGW.originHost(), PGW.originRealm(), OCS.originRealm(), type, number);
    }

    DiameterMessage send(DiameterClient client, CcrBuilder ccr) throws Exception {
        return client.send(ccr.build(endToEnd.getAndIncrement())).get(10, TimeUnit.SECONDS);
    }

    static long resultCode(DiameterMessage answer) {
        return answer.find(Codes.RESULT_CODE, 0).map(Avp::unsigned32).orElseThrow();
    }

    /** The MSCC of the answer for a rating group. */
    static List<Avp> mscc(DiameterMessage answer, long ratingGroup) {
        for (Avp m : answer.findAll(Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, 0)) {
            List<Avp> members = m.grouped();
            for (Avp a : members) {
                if (a.code() == Codes.RATING_GROUP && a.unsigned32() == ratingGroup) {
                    return members;
                }
            }
        }
        throw new AssertionError("no MSCC for rating group " + ratingGroup + " in " + answer);
    }

    static Avp member(List<Avp> group, long code) {
        return group.stream().filter(a -> a.code() == code && a.vendorId() == 0).findFirst().orElse(null);
    }

    static long msccResult(DiameterMessage answer, long ratingGroup) {
        return member(mscc(answer, ratingGroup), Codes.RESULT_CODE).unsigned32();
    }

    /** Granted amount in the MSCC for a rating group (CC-Time, CC-Total-Octets or units), or -1. */
    static long granted(DiameterMessage answer, long ratingGroup) {
        Avp gsu = member(mscc(answer, ratingGroup), Codes.GRANTED_SERVICE_UNIT);
        return gsu == null ? -1 : amountOf(gsu);
    }

    static long amountOf(Avp serviceUnit) {
        for (Avp a : serviceUnit.grouped()) {
            if (a.code() == Codes.CC_TIME) {
                return a.unsigned32();
            }
            if (a.code() == Codes.CC_TOTAL_OCTETS || a.code() == Codes.CC_SERVICE_SPECIFIC_UNITS) {
                return a.unsigned64();
            }
        }
        throw new AssertionError("no amount in " + serviceUnit);
    }

    static boolean hasFinalUnitIndication(DiameterMessage answer, long ratingGroup) {
        return member(mscc(answer, ratingGroup), Codes.FINAL_UNIT_INDICATION) != null;
    }

    /** Each client says DPR and closes; the server stays up. */
    void closeClients() {
        for (DiameterClient c : clients) {
            c.close();
        }
    }

    @Override
    public void close() throws Exception {
        closeClients();
        server.close();
        cc.close();
        ledger.close();
    }
}
