package io.credence.nchf;

import io.credence.ledger.IdentityType;
import io.credence.nchf.ChargingDataRequest.Subscriber;
import io.credence.nchf.ChargingDataRequest.UnitUsage;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@link RequestReader} makes of uPFID, servedGPSI and every subscriberIdentifier form, and what it refuses. */
class RequestReaderTest {
    private static final String GPSI = Identities.SERVED_GPSI;

    private static String body(String subscriber, String gpsi, String usages) {
        return """
                {%s"nfConsumerIdentification": {"nodeFunctionality": "SMF", "nFName": "SMF"},
                 "invocationTimeStamp": "2026-05-20T08:53:20.123456789+08:00",
                 "invocationSequenceNumber": 0,
                 "pDUSessionChargingInformation": {"chargingId": 1%s}
                 %s}""".formatted(subscriber == null ? "" : "\"subscriberIdentifier\": \"" + subscriber + "\", ",
                gpsi == null ? "" : ", \"userInformation\": {\"servedGPSI\": \"" + gpsi + "\"}",
                usages == null ? "" : ", \"multipleUnitUsage\": [" + usages + "]");
    }

    private static ChargingDataRequest read(String json, boolean create) {
        return RequestReader.read(RequestReader.parse(json.getBytes(StandardCharsets.UTF_8)), create);
    }

    private static NchfProblem refused(String json, boolean create) {
        try {
            read(json, create);
        } catch (RequestReader.Invalid invalid) {
            return invalid.problem;
        }
        throw new AssertionError("accepted: " + json);
    }

    @Test
    void everySupiAndGpsiFormOfSubscriberIdentifierBecomesTheLedgersIdentity() {
        Map<String, Subscriber> forms = Map.of(
                "imsi-208930000000001", new Subscriber(IdentityType.IMSI, "208930000000001"),
                "nai-alice@home.example", new Subscriber(IdentityType.NAI, "alice@home.example"),
                "gci-0203040506@cable.example", new Subscriber(IdentityType.PRIVATE, "gci-0203040506@cable.example"),
                "gli-line42@operator.example", new Subscriber(IdentityType.PRIVATE, "gli-line42@operator.example"),
                "msisdn-4917012345", new Subscriber(IdentityType.E164, "4917012345"),
                "extid-meter7@iot.example", new Subscriber(IdentityType.NAI, "meter7@iot.example"));
        forms.forEach((text, expected) -> assertThat(read(body(text, null, null), true).subscribers())
                .as(text).containsExactly(expected));
    }

    @Test
    void servedGpsiIsASecondIdentityAfterSubscriberIdentifierAndEnoughAlone() {
        assertThat(read(body("imsi-208930000000001", "msisdn-0900000000", null), true).subscribers()).containsExactly(
                new Subscriber(IdentityType.IMSI, "208930000000001"), new Subscriber(IdentityType.E164, "0900000000"));
        assertThat(read(body(null, "extid-meter7@iot.example", null), true).subscribers())
                .containsExactly(new Subscriber(IdentityType.NAI, "meter7@iot.example"));
        // the same identity twice is one Subscription-Id
        assertThat(read(body("msisdn-0900000000", "msisdn-0900000000", null), true).subscribers()).hasSize(1);
        // an update needs none (the session knows its subscriber)
        assertThat(read(body(null, null, null), false).subscribers()).isEmpty();
    }

    @Test
    void aCreateWithoutAnyIdentityNamesBothFields() {
        NchfProblem p = refused(body(null, null, null), true);
        assertThat(p.status()).isEqualTo(400);
        assertThat(p.invalidParams()).extracting(NchfProblem.InvalidParam::param)
                .containsExactly("subscriberIdentifier", GPSI);
    }

    @Test
    void badIdentitiesAreRefusedNamingTheField() {
        Map<String, String> bad = Map.ofEntries(
                Map.entry(body("gpsi-262015555555555", null, null), "subscriberIdentifier"),
                Map.entry(body("imsi-2620x", null, null), "subscriberIdentifier"),
                Map.entry(body("imsi-", null, null), "subscriberIdentifier"),
                Map.entry(body("msisdn-+4917012345", null, null), "subscriberIdentifier"),
                Map.entry(body("gci-", null, null), "subscriberIdentifier"),
                Map.entry(body("nai-a b@c", null, null), "subscriberIdentifier"),
                Map.entry(body("extid-no-at-sign", null, null), "subscriberIdentifier"),
                Map.entry(body("imsi-208930000000001", "imsi-208930000000001", null), GPSI),
                Map.entry(body("imsi-208930000000001", "extid-@realm", null), GPSI),
                Map.entry(body("imsi-208930000000001", "extid-a@b@c", null), GPSI),
                Map.entry(body("imsi-208930000000001", "msisdn-12345678901234567", null), GPSI),
                Map.entry(body("imsi-208930000000001", "", null), GPSI));
        bad.forEach((json, param) -> {
            NchfProblem p = refused(json, true);
            assertThat(p.invalidParams()).as(json).extracting(NchfProblem.InvalidParam::param).containsExactly(param);
            assertThat(p.cause()).isEqualTo("CHARGING_FAILED");
        });
        String notAnObject = body("imsi-208930000000001", null, null)
                .replace("{\"chargingId\": 1}", "{\"chargingId\": 1, \"userInformation\": \"msisdn-1\"}");
        assertThat(refused(notAnObject, true).invalidParams().get(0).param())
                .isEqualTo("pDUSessionChargingInformation.userInformation");
    }

    @Test
    void uPFIDIsReadPerUsageAndOneRatingGroupFromTwoUpfsIsTwoServices() {
        ChargingDataRequest r = read(body("imsi-208930000000001", null, """
                {"ratingGroup": 1, "uPFID": "6b1a4f7e-2f53-4a5e-9d1c-0e8c3b7a5d21", "requestedUnit": {"totalVolume": 1000}},
                {"ratingGroup": 1, "uPFID": "0f0e0d0c-0b0a-4908-8706-050403020100",
                 "usedUnitContainer": [{"localSequenceNumber": 0, "quotaManagementIndicator": "ONLINE_CHARGING"}]},
                {"ratingGroup": 1}"""), false);
        assertThat(r.unitUsages()).extracting(UnitUsage::ratingGroup, UnitUsage::upfId).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1L, "6b1a4f7e-2f53-4a5e-9d1c-0e8c3b7a5d21"),
                org.assertj.core.groups.Tuple.tuple(1L, "0f0e0d0c-0b0a-4908-8706-050403020100"),
                org.assertj.core.groups.Tuple.tuple(1L, null));
        // a container that reports no volume (free5GC omits zeros) is a report of nothing, not an error
        assertThat(r.unitUsages().get(1).used()).isEqualTo(ChargingDataRequest.Units.EMPTY);
    }

    @Test
    void badUpfIdsAndRepeatedUpfRatingGroupPairsAreRefusedNamingTheField() {
        String upf = "6b1a4f7e-2f53-4a5e-9d1c-0e8c3b7a5d21";
        Map<String, String> bad = Map.of(
                "{\"ratingGroup\": 1, \"uPFID\": \"\"}", "multipleUnitUsage[0].uPFID",
                "{\"ratingGroup\": 1, \"uPFID\": 7}", "multipleUnitUsage[0].uPFID",
                "{\"ratingGroup\": 1, \"uPFID\": \"" + "u".repeat(129) + "\"}", "multipleUnitUsage[0].uPFID",
                "{\"ratingGroup\": 1, \"uPFID\": \"upf one\"}", "multipleUnitUsage[0].uPFID",
                "{\"ratingGroup\": 1, \"uPFID\": \"" + upf + "\"}, {\"ratingGroup\": 1, \"uPFID\": \"" + upf + "\"}",
                "multipleUnitUsage[1].ratingGroup",
                "{\"ratingGroup\": 1}, {\"ratingGroup\": 1}", "multipleUnitUsage[1].ratingGroup");
        bad.forEach((usages, param) -> assertThat(refused(body("imsi-208930000000001", null, usages), false)
                .invalidParams()).as(usages).extracting(NchfProblem.InvalidParam::param).containsExactly(param));
        assertThat(refused(body("imsi-208930000000001", null, "{\"ratingGroup\": 1, \"uPFID\": \"" + upf
                + "\"}, {\"ratingGroup\": 1, \"uPFID\": \"" + upf + "\"}"), false).detail())
                .contains("repeats rating group 1 of uPFID " + upf);
        assertThat(read(body("imsi-208930000000001", null, "{\"ratingGroup\": 1, \"uPFID\": \"" + "u".repeat(128)
                + "\"}"), false).unitUsages()).hasSize(1);
    }

    @Test
    void invocationSequenceNumberIsReadAsSentEvenWhenACreateDoesNotStartAtZero() {
        assertThat(read(body("imsi-208930000000001", null, null).replace("\"invocationSequenceNumber\": 0",
                "\"invocationSequenceNumber\": 7"), true).sequenceNumber()).isEqualTo(7);
        assertThatThrownBy(() -> read(body("imsi-208930000000001", null, null).replace("\"invocationSequenceNumber\": 0",
                "\"invocationSequenceNumber\": -1"), true)).isInstanceOf(RequestReader.Invalid.class);
        assertThat(List.of(read(body("imsi-208930000000001", null, null), true).retransmission())).containsExactly(false);
    }
}
