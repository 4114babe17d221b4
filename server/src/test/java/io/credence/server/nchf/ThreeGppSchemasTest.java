package io.credence.server.nchf;

import io.credence.testkit.RequiresSharedTestData;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The schema check the Nchf tests rely on can fail: wrong bodies are refused, naming where, and
 * right ones pass. Without this a validator that accepted everything would make every Nchf test
 * look conformant. Reported skipped where the schemas are absent (a fresh clone has no ../shared).
 */
@RequiresSharedTestData(ThreeGppSchemas.DATA)
class ThreeGppSchemasTest {
    private static final String REQUEST = """
            {"subscriberIdentifier": "imsi-208930000000001",
             "nfConsumerIdentification": {"nodeFunctionality": "SMF", "nFName": "4bd4a3d0-5d9a-4d7c-9b35-1b2c3d4e5f60"},
             "invocationTimeStamp": "2026-05-20T08:53:20.123456789+08:00",
             "invocationSequenceNumber": 0,
             "multipleUnitUsage": [{"ratingGroup": %s, "uPFID": "6b1a4f7e-2f53-4a5e-9d1c-0e8c3b7a5d21",
               "requestedUnit": {"totalVolume": 1000},
               "usedUnitContainer": [{"localSequenceNumber": 0, "totalVolume": 1200,
                 "quotaManagementIndicator": "ONLINE_CHARGING",
                 "triggers": [{"triggerType": "QUOTA_EXHAUSTED", "triggerCategory": "IMMEDIATE_REPORT"}]}]}]}""";
    private static final String RESPONSE = """
            {"invocationTimeStamp": "2026-05-20T08:53:20Z", "invocationSequenceNumber": 0,
             "multipleUnitInformation": [{"resultCode": %s, "ratingGroup": 1, "uPFID": "6b1a4f7e-2f53-4a5e-9d1c-0e8c3b7a5d21",
               "grantedUnit": {"totalVolume": 1000}, "validityTime": 600,
               "triggers": [{"triggerType": "QUOTA_EXHAUSTED", "triggerCategory": "IMMEDIATE_REPORT"}]}]}""";

    @Test
    void aWellFormedRequestResponseAndProblemPass() {
        ThreeGppSchemas schemas = ThreeGppSchemas.get();
        schemas.assertValid(ThreeGppSchemas.CHARGING_DATA_REQUEST, REQUEST.formatted("1"));
        schemas.assertValid(ThreeGppSchemas.CHARGING_DATA_RESPONSE, RESPONSE.formatted("\"SUCCESS\""));
        schemas.assertValid(ThreeGppSchemas.PROBLEM_DETAILS, """
                {"title": "Bad Request", "status": 400, "detail": "x is required", "cause": "CHARGING_FAILED",
                 "invalidParams": [{"param": "x", "reason": "is required"}]}""");
    }

    @Test
    void aRatingGroupGivenAsAStringIsRefusedNamingIt() {
        assertThat(ThreeGppSchemas.get().violations(ThreeGppSchemas.CHARGING_DATA_REQUEST, REQUEST.formatted("\"1\"")))
                .anySatisfy(v -> assertThat(v).contains("$.multipleUnitUsage[0].ratingGroup").contains("[type]"));
    }

    @Test
    void aResultCodeThatIsNoStringIsRefused() {
        assertThat(ThreeGppSchemas.get().violations(ThreeGppSchemas.CHARGING_DATA_RESPONSE, RESPONSE.formatted("2001")))
                .anySatisfy(v -> assertThat(v).contains("$.multipleUnitInformation[0].resultCode"));
    }

    /**
     * 3GPP enumerations are extensible (TS 29.501 5.2.4: anyOf the enum and any string), so an
     * unknown resultCode string is schema-valid; a consumer has to tolerate it. Asserted here so
     * nobody relies on the schema to catch a misspelt code.
     */
    @Test
    void anUnknownResultCodeStringIsValidBecause3gppEnumerationsAreExtensible() {
        assertThat(ThreeGppSchemas.get().violations(ThreeGppSchemas.CHARGING_DATA_RESPONSE,
                RESPONSE.formatted("\"NOT_A_CODE\""))).isEmpty();
    }

    @Test
    void missingMandatoryFieldsWrongFormatsAndBadProblemsAreRefused() {
        ThreeGppSchemas schemas = ThreeGppSchemas.get();
        assertThat(schemas.violations(ThreeGppSchemas.CHARGING_DATA_REQUEST,
                REQUEST.formatted("1").replace("\"invocationSequenceNumber\": 0,", "")))
                .anySatisfy(v -> assertThat(v).contains("invocationSequenceNumber").contains("[required]"));
        assertThat(schemas.violations(ThreeGppSchemas.CHARGING_DATA_REQUEST,
                REQUEST.formatted("1").replace("2026-05-20T08:53:20.123456789+08:00", "yesterday")))
                .anySatisfy(v -> assertThat(v).contains("$.invocationTimeStamp").contains("[format]"));
        assertThat(schemas.violations(ThreeGppSchemas.CHARGING_DATA_REQUEST,
                REQUEST.formatted("1").replace("\"totalVolume\": 1000", "\"totalVolume\": -1")))
                .anySatisfy(v -> assertThat(v).contains("$.multipleUnitUsage[0].requestedUnit.totalVolume"));
        assertThat(schemas.violations(ThreeGppSchemas.PROBLEM_DETAILS, "{\"status\": \"400\", \"invalidParams\": [{}]}"))
                .anySatisfy(v -> assertThat(v).contains("$.status"))
                .anySatisfy(v -> assertThat(v).contains("$.invalidParams[0]").contains("[required]"));
    }
}
