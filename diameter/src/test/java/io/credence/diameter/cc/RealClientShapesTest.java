package io.credence.diameter.cc;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.transport.DiameterClient;
import io.credence.ledger.Unit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.credence.diameter.cc.CcHarness.granted;
import static io.credence.diameter.cc.CcHarness.resultCode;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests shaped as stock network elements send them, which a strict reading of RFC 4006 once
 * refused: Kamailio's ims_charging (an IMS S-CSCF on Ro) names credit control only in
 * Vendor-Specific-Application-Id, puts the RFC 6733 accounting AVPs in every CCR with the M bit,
 * and sends a CCR-T after every refused CCR-I; an Nchf consumer installs quota per UPF.
 */
class RealClientShapesTest {
    private static final String IMS = CreditControlConfig.CONTEXT_IMS;
    @TempDir
    Path dir;
    private CcHarness h;
    private DiameterClient scscf;
    private final List<String> logLines = new ArrayList<>();
    private final Logger ccLogger = Logger.getLogger(CreditControlServer.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (logLines) {
                logLines.add(record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void start() throws Exception {
        h = new CcHarness(dir, CreditControlConfig.defaults());
        scscf = h.connect();
        ccLogger.addHandler(capture);
    }

    @AfterEach
    void stop() throws Exception {
        ccLogger.removeHandler(capture);
        h.close();
    }

    /** A CCR as Kamailio's ims_charging builds it: vendor-specific application, accounting AVPs with M. */
    private CcrBuilder roCcr(String session, int type, long number) {
        return h.ccr(session, type, number).serviceContext(IMS).vendorSpecificApplication(Codes.VENDOR_3GPP)
                .avp(Avps.integer32(Codes.ACCOUNTING_RECORD_TYPE, 0, true, type == Codes.INITIAL_REQUEST ? 2 : 3))
                .avp(Avps.unsigned32(Codes.ACCOUNTING_RECORD_NUMBER, 0, true, number));
    }

    @Test
    void aCallAsKamailioSendsItIsChargedAndAnsweredInTheVendorSpecificForm() throws Exception {
        String account = h.subscriber("491700000101", Unit.SECONDS, 300);
        DiameterMessage i = h.send(scscf, roCcr("scscf;call;1", Codes.INITIAL_REQUEST, 0).msisdn("491700000101")
                .mscc(1, Unit.SECONDS, 60L, null));
        assertThat(resultCode(i)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(granted(i, 1)).isEqualTo(60);
        assertThat(i.findAll(Codes.AUTH_APPLICATION_ID, 0)).as("no bare Auth-Application-Id").isEmpty();
        List<Avp> vendorSpecific = i.find(Codes.VENDOR_SPECIFIC_APPLICATION_ID, 0).orElseThrow().grouped();
        assertThat(CcHarness.member(vendorSpecific, Codes.VENDOR_ID).unsigned32()).isEqualTo(Codes.VENDOR_3GPP);
        assertThat(CcHarness.member(vendorSpecific, Codes.AUTH_APPLICATION_ID).unsigned32()).isEqualTo(4);

        DiameterMessage t = h.send(scscf, roCcr("scscf;call;1", Codes.TERMINATION_REQUEST, 1)
                .mscc(1, Unit.SECONDS, null, 42L));
        assertThat(resultCode(t)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(h.available(account, Unit.SECONDS)).isEqualTo(300 - 42);
        assertThat(h.openReservations()).isZero();
    }

    @Test
    void aCcrWithoutAnyApplicationIdIsAMissingAvp() throws Exception {
        h.subscriber("491700000102", Unit.SECONDS, 300);
        DiameterMessage full = roCcr("scscf;call;2", Codes.INITIAL_REQUEST, 0).msisdn("491700000102")
                .mscc(1, Unit.SECONDS, 60L, null).build(77);
        DiameterMessage noApplication = new DiameterMessage(full.flags(), full.commandCode(), full.applicationId(),
                0, full.endToEnd(), full.avps().stream()
                .filter(a -> a.code() != Codes.VENDOR_SPECIFIC_APPLICATION_ID).toList());
        DiameterMessage answer = scscf.send(noApplication).get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(resultCode(answer)).isEqualTo(Codes.DIAMETER_MISSING_AVP);
        assertThat(answer.find(Codes.FAILED_AVP, 0).orElseThrow().grouped().get(0).code())
                .isEqualTo(Codes.AUTH_APPLICATION_ID);
    }

    @Test
    void theCcrTAfterARefusedCcrIIsAnsweredSuccessAndChargesNothing() throws Exception {
        String broke = h.subscriber("491700000103", Unit.SECONDS, 0);
        long transfersBefore = h.lastTransferSeq();
        // refused for credit (4012), for an unknown user (5030), and for its form (5005)
        DiameterMessage noCredit = h.send(scscf, roCcr("scscf;refused;1", Codes.INITIAL_REQUEST, 0)
                .msisdn("491700000103").mscc(1, Unit.SECONDS, 60L, null));
        assertThat(resultCode(noCredit)).isEqualTo(Codes.DIAMETER_CREDIT_LIMIT_REACHED);
        DiameterMessage unknown = h.send(scscf, roCcr("scscf;refused;2", Codes.INITIAL_REQUEST, 0)
                .msisdn("999000111").mscc(1, Unit.SECONDS, 60L, null));
        assertThat(resultCode(unknown)).isEqualTo(Codes.DIAMETER_USER_UNKNOWN);
        DiameterMessage malformed = h.send(scscf, roCcr("scscf;refused;3", Codes.INITIAL_REQUEST, 0)
                .mscc(1, Unit.SECONDS, 60L, null));
        assertThat(resultCode(malformed)).isEqualTo(Codes.DIAMETER_MISSING_AVP);

        for (String session : List.of("scscf;refused;1", "scscf;refused;2", "scscf;refused;3")) {
            DiameterMessage t = h.send(scscf, roCcr(session, Codes.TERMINATION_REQUEST, 1).mscc(1, Unit.SECONDS, null, 0L));
            assertThat(resultCode(t)).as("CCR-T of %s", session).isEqualTo(Codes.DIAMETER_SUCCESS);
            // a retransmitted CCR-T gets the same answer; a further one is refused as finished
            assertThat(resultCode(h.send(scscf, roCcr(session, Codes.TERMINATION_REQUEST, 1).retransmitted()
                    .mscc(1, Unit.SECONDS, null, 0L)))).isEqualTo(Codes.DIAMETER_SUCCESS);
        }
        assertThat(h.lastTransferSeq()).as("nothing charged").isEqualTo(transfersBefore);
        assertThat(h.available(broke, Unit.SECONDS)).isZero();
        // a session that was never opened is still unknown
        assertThat(resultCode(h.send(scscf, roCcr("scscf;never;1", Codes.TERMINATION_REQUEST, 1))))
                .isEqualTo(Codes.DIAMETER_UNKNOWN_SESSION_ID);
    }

    @Test
    void aCcrIThatAsksForNothingOpensTheSessionAndReservesNothing() throws Exception {
        String account = h.subscriber("491700000104", Unit.BYTES, 5_000_000);
        DiameterMessage i = h.send(scscf, h.ccr("pgw;open;1", Codes.INITIAL_REQUEST, 0).msisdn("491700000104"));
        assertThat(resultCode(i)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(i.findAll(Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, 0)).isEmpty();
        assertThat(i.findAll(Codes.GRANTED_SERVICE_UNIT, 0)).isEmpty();
        assertThat(h.openReservations()).isZero();
        DiameterMessage u = h.send(scscf, h.ccr("pgw;open;1", Codes.UPDATE_REQUEST, 1).mscc(10, Unit.BYTES, 1000L, null));
        assertThat(granted(u, 10)).isEqualTo(1000);
        assertThat(h.available(account, Unit.BYTES)).isEqualTo(5_000_000 - 1000);
    }

    @Test
    void oneRatingGroupOnTwoUpfsHoldsTwoGrantsEachEchoedWithItsUpf() throws Exception {
        String account = h.subscriber("491700000105", Unit.BYTES, 10_000);
        DiameterMessage i = h.send(scscf, h.ccr("nchf;ulcl;1", Codes.INITIAL_REQUEST, 0).msisdn("491700000105")
                .mscc(upfService(10, "upf-a", 1000L, null)).mscc(upfService(10, "upf-b", 2000L, null)));
        assertThat(resultCode(i)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(upfsAndGrants(i)).containsExactly("upf-a=1000", "upf-b=2000");
        assertThat(h.openReservations()).isEqualTo(2);

        DiameterMessage u = h.send(scscf, h.ccr("nchf;ulcl;1", Codes.UPDATE_REQUEST, 1)
                .mscc(upfService(10, "upf-b", 500L, 1500L)));
        assertThat(upfsAndGrants(u)).containsExactly("upf-b=500");
        DiameterMessage t = h.send(scscf, h.ccr("nchf;ulcl;1", Codes.TERMINATION_REQUEST, 2)
                .mscc(upfService(10, "upf-a", null, 700L)).mscc(upfService(10, "upf-b", null, 100L)));
        assertThat(resultCode(t)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(h.available(account, Unit.BYTES)).isEqualTo(10_000 - 700 - 1500 - 100);
        assertThat(h.openReservations()).isZero();

        DiameterMessage twice = h.send(scscf, h.ccr("nchf;ulcl;2", Codes.INITIAL_REQUEST, 0).msisdn("491700000105")
                .mscc(upfService(10, "upf-a", 1000L, null)).mscc(upfService(10, "upf-a", 1000L, null)));
        assertThat(resultCode(twice)).isEqualTo(Codes.DIAMETER_INVALID_AVP_VALUE);
    }

    @Test
    void everyRefusedRequestLeavesALineNamingPeerSessionCodeAndAvp() throws Exception {
        h.subscriber("491700000106", Unit.SECONDS, 300);
        h.send(scscf, roCcr("scscf;log;1", Codes.INITIAL_REQUEST, 0).msisdn("491700000106")
                .avp(Avps.unsigned32(9999, 0, true, 1)));
        h.send(scscf, roCcr("scscf;log;2", Codes.INITIAL_REQUEST, 0).mscc(1, Unit.SECONDS, 60L, null));
        synchronized (logLines) {
            assertThat(logLines).anySatisfy(line -> assertThat(line).contains("pgw.operator.test", "scscf;log;1",
                    "5001", "9999"));
            assertThat(logLines).anySatisfy(line -> assertThat(line).contains("scscf;log;2", "5005", "443",
                    "Subscription-Id"));
        }
    }

    private static Avp upfService(long ratingGroup, String upf, Long requested, Long used) {
        List<Avp> m = new ArrayList<>();
        if (requested != null) {
            m.add(Avps.grouped(Codes.REQUESTED_SERVICE_UNIT, 0, true, List.of(
                    Avps.long64(Codes.CC_TOTAL_OCTETS, 0, true, requested))));
        }
        if (used != null) {
            m.add(Avps.grouped(Codes.USED_SERVICE_UNIT, 0, true, List.of(Avps.long64(Codes.CC_TOTAL_OCTETS, 0, true, used))));
        }
        m.add(Avps.unsigned32(Codes.RATING_GROUP, 0, true, ratingGroup));
        m.add(Avps.utf8(Codes.CREDENCE_UPF_ID, Codes.VENDOR_CREDENCE, false, upf));
        return Avps.grouped(Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, 0, true, m);
    }

    /** "upf=granted" per answered MSCC, in answer order. */
    private static List<String> upfsAndGrants(DiameterMessage answer) {
        List<String> out = new ArrayList<>();
        for (Avp mscc : answer.findAll(Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, 0)) {
            String upf = mscc.grouped().stream().filter(a -> a.vendorId() == Codes.VENDOR_CREDENCE)
                    .map(Avp::utf8).findFirst().orElse("?");
            Avp gsu = CcHarness.member(mscc.grouped(), Codes.GRANTED_SERVICE_UNIT);
            out.add(upf + "=" + (gsu == null ? "none" : CcHarness.amountOf(gsu)));
        }
        return out;
    }
}
