package io.credence.nchf;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.ledger.IdentityType;
import io.credence.nchf.ChargingDataRequest.Subscriber;
import io.credence.nchf.ChargingDataRequest.UnitUsage;
import io.credence.nchf.ChargingDataRequest.Units;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The CCR an Nchf request becomes: the number it was given, every identity in order, the UPF inside the MSCC. */
class CcrMappingTest {
    private static ChargingDataRequest request(List<UnitUsage> usages) {
        return new ChargingDataRequest(List.of(new Subscriber(IdentityType.IMSI, "208930000000001"),
                new Subscriber(IdentityType.E164, "0900000000")), "SMF", "2026-05-20T08:53:20Z", "32255@3gpp.org", 0,
                false, usages);
    }

    @Test
    void theRequestNumberIsTheOneGivenAndTheIdentitiesKeepTheirOrder() {
        DiameterMessage ccr = CcrMapping.ccr(request(List.of()), Codes.UPDATE_REQUEST, 7, "ref", "credence.test", 1);
        assertThat(ccr.find(Codes.CC_REQUEST_NUMBER, 0).orElseThrow().unsigned32()).isEqualTo(7);
        assertThat(ccr.findAll(Codes.SUBSCRIPTION_ID, 0)).extracting(s -> s.grouped().get(0).integer32() + " "
                + s.grouped().get(1).utf8()).containsExactly("1 208930000000001", "0 0900000000");
    }

    @Test
    void aCreateWithoutUnitUsageAsksForNothing() {
        DiameterMessage ccr = CcrMapping.ccr(request(List.of()), Codes.INITIAL_REQUEST, 0, "ref", "credence.test", 1);
        assertThat(ccr.findAll(Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, 0)).isEmpty();
        assertThat(ccr.findAll(Codes.REQUESTED_SERVICE_UNIT, 0)).isEmpty();
        assertThat(ccr.findAll(Codes.USED_SERVICE_UNIT, 0)).isEmpty();
    }

    @Test
    void theUpfIdTravelsInsideItsMsccAsCredenceUpfId() {
        DiameterMessage ccr = CcrMapping.ccr(request(List.of(
                new UnitUsage(1, "upf-a", new Units(null, 1000L, null, null, null), null),
                new UnitUsage(1, "upf-b", null, null), new UnitUsage(2, null, null, null))),
                Codes.UPDATE_REQUEST, 1, "ref", "credence.test", 1);
        List<Avp> msccs = ccr.findAll(Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, 0);
        assertThat(msccs).extracting(m -> m.grouped().stream().filter(a -> a.vendorId() == Codes.VENDOR_CREDENCE && a.code() == Codes.CREDENCE_UPF_ID)
                .map(Avp::utf8).findFirst().orElse(null)).containsExactly("upf-a", "upf-b", null);
        Avp upf = msccs.get(0).grouped().stream().filter(a -> a.vendorId() == Codes.VENDOR_CREDENCE).findFirst().orElseThrow();
        assertThat(upf.mandatory()).as("M bit").isFalse();
    }
}
