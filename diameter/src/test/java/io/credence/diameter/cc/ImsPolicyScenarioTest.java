package io.credence.diameter.cc;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.codec.Dictionary;
import io.credence.diameter.transport.DiameterClient;
import io.credence.ledger.Unit;
import io.credence.rating.Catalog;
import io.credence.rating.NetworkType;
import io.credence.rating.OutletPolicy;
import io.credence.rating.RatingEngine;
import io.credence.rating.Rule;
import io.credence.rating.Tariff;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.credence.diameter.cc.CcHarness.granted;
import static io.credence.diameter.cc.CcHarness.msccResult;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * IMS calls over Ro charged by the catalog's terminal-attribute rules: a Wi-Fi call is free even
 * with nothing on the account, a fixed-line caller is denied, and a call through a checked outlet
 * is routed only when the caller has more than the threshold available.
 */
class ImsPolicyScenarioTest {
    private static final long V = Dictionary.VENDOR_3GPP;
    private static final String IMS = CreditControlConfig.CONTEXT_IMS;

    @TempDir
    Path dir;
    CcHarness h;
    DiameterClient scscf;

    @BeforeEach
    void start() throws Exception {
        Tariff voice = new Tariff("voice", Unit.SECONDS, List.of(new Tariff.Step(Long.MAX_VALUE, 1, 1)),
                Tariff.Rounding.UP, 0, Map.of());
        Catalog catalog = new Catalog("ims-test", "EUR", ZoneId.of("UTC"), Map.of(), Map.of("voice", voice),
                Map.of("voice", new Catalog.Service("voice", Unit.SECONDS, Set.of(100L), 300, "voice")),
                List.of(new Rule("voice", "voice", null, null, null, null, null, null, null, new Rule.Decision.Charge("voice")),
                        new Rule("wifi is free", "voice", Set.of(NetworkType.WIFI), null, null, null, null, null, null,
                                new Rule.Decision.Free()),
                        new Rule("no voice on fixed lines", "voice", Set.of(NetworkType.FIXED), null, null, null, null,
                                null, null, new Rule.Decision.Deny("fixed lines have no voice plan"))),
                Map.of("trunk-intl", new OutletPolicy.Check(500)));
        h = new CcHarness(dir, CreditControlConfig.defaults(), new RatingEngine(catalog));
        scscf = h.connect();
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    private static Avp ims(String pani, String outlet) {
        List<Avp> members = new java.util.ArrayList<>();
        members.add(Avps.octets(1263, V, true, pani.getBytes(StandardCharsets.UTF_8)));
        if (outlet != null) {
            members.add(Avps.grouped(851, V, true, List.of(Avps.utf8(853, V, true, outlet))));
        }
        return Avps.grouped(873, V, true, List.of(Avps.grouped(876, V, true, members)));
    }

    private DiameterMessage initial(String sid, String msisdn, String pani, String outlet) throws Exception {
        return h.send(scscf, h.ccr(sid, Codes.INITIAL_REQUEST, 0).serviceContext(IMS).msisdn(msisdn)
                .mscc(100, Unit.SECONDS, 60L, null).avp(ims(pani, outlet)));
    }

    @Test
    void aWifiCallIsFreeWithAnEmptyAccountAndChargesNothing() throws Exception {
        String account = h.subscriber("491710000001", Unit.SECONDS, 0);
        long transfers = h.lastTransferSeq();
        DiameterMessage i = initial("ims;free;1", "491710000001", "IEEE-802.11; i-wlan-node-id=ffeeddccbbaa", null);
        assertThat(msccResult(i, 100)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(granted(i, 100)).isEqualTo(60);
        DiameterMessage u = h.send(scscf, h.ccr("ims;free;1", Codes.UPDATE_REQUEST, 1).serviceContext(IMS)
                .mscc(100, Unit.SECONDS, 60L, 60L));
        assertThat(msccResult(u, 100)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(granted(u, 100)).isEqualTo(60);
        DiameterMessage t = h.send(scscf, h.ccr("ims;free;1", Codes.TERMINATION_REQUEST, 2).serviceContext(IMS)
                .mscc(100, Unit.SECONDS, null, 25L));
        assertThat(CcHarness.resultCode(t)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(h.available(account, Unit.SECONDS)).isZero();
        assertThat(h.lastTransferSeq()).isEqualTo(transfers);
        assertThat(h.openReservations()).isZero();
    }

    @Test
    void aCallFromAFixedLineIsDenied() throws Exception {
        String account = h.subscriber("491710000002", Unit.SECONDS, 1_000);
        DiameterMessage i = initial("ims;deny;1", "491710000002", "ADSL; dsl-location=0012", null);
        assertThat(msccResult(i, 100)).isEqualTo(Codes.DIAMETER_END_USER_SERVICE_DENIED);
        assertThat(h.available(account, Unit.SECONDS)).isEqualTo(1_000);
        assertThat(h.openReservations()).isZero();
    }

    @Test
    void aCheckedOutletRoutesOnlyCallersAboveItsThreshold() throws Exception {
        h.subscriber("491710000003", Unit.SECONDS, 400);
        h.subscriber("491710000004", Unit.SECONDS, 600);
        DiameterMessage poor = initial("ims;outlet;1", "491710000003", "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=1", "trunk-intl");
        assertThat(msccResult(poor, 100)).isEqualTo(Codes.DIAMETER_END_USER_SERVICE_DENIED);
        DiameterMessage rich = initial("ims;outlet;2", "491710000004", "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=1", "trunk-intl");
        assertThat(msccResult(rich, 100)).isEqualTo(Codes.DIAMETER_SUCCESS);
        assertThat(granted(rich, 100)).isEqualTo(60);
        DiameterMessage national = initial("ims;outlet;3", "491710000003", "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=1", "trunk-nat");
        assertThat(msccResult(national, 100)).isEqualTo(Codes.DIAMETER_SUCCESS);
    }
}
