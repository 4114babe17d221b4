package io.credence.nchf;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Result-Code table of {@link CcaMapping}, row by row. */
class CcaMappingTest {
    private static final ChargingDataRequest REQUEST = new ChargingDataRequest(List.of(), "SMF", "2026-11-24T10:00:00Z",
            "32255@3gpp.org", 3, false, List.of());

    private static DiameterMessage cca(long resultCode, Avp... more) {
        List<Avp> avps = new ArrayList<>(List.of(Avps.utf8(Codes.SESSION_ID, 0, true, "nchf;x"),
                Avps.unsigned32(Codes.RESULT_CODE, 0, true, resultCode),
                Avps.utf8(Codes.ERROR_MESSAGE, 0, false, "why")));
        avps.addAll(List.of(more));
        return new DiameterMessage(0, Codes.CREDIT_CONTROL, Codes.APP_CREDIT_CONTROL, 1, 1, avps);
    }

    private static Avp mscc(long ratingGroup, long resultCode, Long grantedOctets, boolean last) {
        List<Avp> m = new ArrayList<>();
        if (grantedOctets != null) {
            m.add(Avps.grouped(Codes.GRANTED_SERVICE_UNIT, 0, true,
                    List.of(Avps.long64(Codes.CC_TOTAL_OCTETS, 0, true, grantedOctets))));
        }
        m.add(Avps.unsigned32(Codes.RATING_GROUP, 0, true, ratingGroup));
        m.add(Avps.unsigned32(Codes.VALIDITY_TIME, 0, true, 600));
        m.add(Avps.unsigned32(Codes.RESULT_CODE, 0, true, resultCode));
        if (last) {
            m.add(Avps.grouped(Codes.FINAL_UNIT_INDICATION, 0, true,
                    List.of(Avps.integer32(Codes.FINAL_UNIT_ACTION, 0, true, Codes.FUA_TERMINATE))));
        }
        return Avps.grouped(Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, 0, true, m);
    }

    private static NchfProblem refused(DiameterMessage cca, CcaMapping.Kind kind) {
        return ((CcaMapping.Refused) CcaMapping.map(cca, kind, REQUEST)).problem();
    }

    @Test
    void sessionLevelResultCodesBecomeProblemsWithTheirCause() {
        Map<Long, String> table = Map.of(
                Codes.DIAMETER_USER_UNKNOWN, "404 USER_UNKNOWN",
                Codes.DIAMETER_END_USER_SERVICE_DENIED, "403 END_USER_REQUEST_DENIED",
                Codes.DIAMETER_CREDIT_LIMIT_REACHED, "403 QUOTA_LIMIT_REACHED",
                Codes.DIAMETER_RATING_FAILED, "400 CHARGING_FAILED",
                Codes.DIAMETER_UNKNOWN_SESSION_ID, "404 CONTEXT_NOT_FOUND",
                Codes.DIAMETER_TOO_BUSY, "503 NF_CONGESTION",
                Codes.DIAMETER_MISSING_AVP, "400 CHARGING_FAILED",
                Codes.DIAMETER_UNABLE_TO_COMPLY, "500 CHARGING_FAILED");
        table.forEach((code, expected) -> {
            NchfProblem p = refused(cca(code), CcaMapping.Kind.CREATE);
            assertThat(p.status() + " " + p.cause()).as("Result-Code " + code).isEqualTo(expected);
            assertThat(p.detail()).isEqualTo("why");
        });
    }

    @Test
    void aFailedAvpNamesTheRequestField() {
        NchfProblem p = refused(cca(Codes.DIAMETER_INVALID_AVP_VALUE, Avps.grouped(Codes.FAILED_AVP, 0, true,
                List.of(Avps.unsigned32(Codes.CC_REQUEST_NUMBER, 0, true, 1)))), CcaMapping.Kind.UPDATE);
        assertThat(p.status()).isEqualTo(400);
        assertThat(p.invalidParams()).extracting(NchfProblem.InvalidParam::param).containsExactly("invocationSequenceNumber");
    }

    @Test
    void servicesAnswerPerRatingGroupAndAnUpdateKeepsAnsweringWhenAllFailed() {
        DiameterMessage mixed = cca(Codes.DIAMETER_SUCCESS, mscc(10, Codes.DIAMETER_SUCCESS, 500L, true),
                mscc(20, Codes.DIAMETER_CREDIT_LIMIT_REACHED, null, false));
        var body = ((CcaMapping.Charged) CcaMapping.map(mixed, CcaMapping.Kind.CREATE, REQUEST)).body();
        assertThat(body).containsEntry("invocationSequenceNumber", 3L)
                .containsEntry("invocationTimeStamp", "2026-11-24T10:00:00Z");
        assertThat(body.get("multipleUnitInformation")).isEqualTo(List.of(
                Map.of("resultCode", "SUCCESS", "ratingGroup", 10L, "grantedUnit", Map.of("totalVolume", 500L),
                        "validityTime", 600L, "finalUnitIndication", Map.of("finalUnitAction", "TERMINATE"),
                        "triggers", CcaMapping.GRANT_TRIGGERS),
                Map.of("resultCode", "QUOTA_LIMIT_REACHED", "ratingGroup", 20L, "validityTime", 600L,
                        "triggers", CcaMapping.REFUSED_TRIGGERS)));

        DiameterMessage allOut = cca(Codes.DIAMETER_CREDIT_LIMIT_REACHED,
                mscc(10, Codes.DIAMETER_CREDIT_LIMIT_REACHED, null, false));
        assertThat(CcaMapping.map(allOut, CcaMapping.Kind.UPDATE, REQUEST)).isInstanceOf(CcaMapping.Charged.class);
        assertThat(refused(allOut, CcaMapping.Kind.CREATE).cause()).isEqualTo("QUOTA_LIMIT_REACHED");
    }

    @Test
    void theUpfIdOfEachAnswerMsccIsEchoedAsUpfId() {
        Avp withUpf = Avps.grouped(Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, 0, true, List.of(
                Avps.unsigned32(Codes.RATING_GROUP, 0, true, 1),
                Avps.utf8(Codes.CREDENCE_UPF_ID, Codes.VENDOR_CREDENCE, false, "upf-b"),
                Avps.unsigned32(Codes.RESULT_CODE, 0, true, Codes.DIAMETER_SUCCESS)));
        var body = ((CcaMapping.Charged) CcaMapping.map(cca(Codes.DIAMETER_SUCCESS, withUpf,
                mscc(1, Codes.DIAMETER_SUCCESS, 10L, false)), CcaMapping.Kind.UPDATE, REQUEST)).body();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> units = (List<Map<String, Object>>) body.get("multipleUnitInformation");
        assertThat(units).extracting(u -> u.get("uPFID")).containsExactly("upf-b", null);
        assertThat(units).extracting(u -> u.get("ratingGroup")).containsExactly(1L, 1L);
    }

    @Test
    void anAnswerWithoutServicesIsAResponseWithoutUnitInformation() {
        var body = ((CcaMapping.Charged) CcaMapping.map(cca(Codes.DIAMETER_SUCCESS), CcaMapping.Kind.CREATE, REQUEST))
                .body();
        assertThat(body).containsOnlyKeys("invocationTimeStamp", "invocationSequenceNumber");
    }

    @Test
    void aRefusedUpfIdNamesTheField() {
        NchfProblem p = refused(cca(Codes.DIAMETER_INVALID_AVP_VALUE, Avps.grouped(Codes.FAILED_AVP, 0, true,
                List.of(Avps.utf8(Codes.CREDENCE_UPF_ID, Codes.VENDOR_CREDENCE, false, "x")))),
                CcaMapping.Kind.UPDATE);
        assertThat(p.invalidParams()).extracting(NchfProblem.InvalidParam::param).containsExactly("multipleUnitUsage.uPFID");
    }
}
