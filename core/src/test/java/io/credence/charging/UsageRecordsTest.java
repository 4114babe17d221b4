package io.credence.charging;

import io.credence.charging.ChargingOutcome.Result;
import io.credence.charging.ChargingRequest.Attributes;
import io.credence.charging.ChargingRequest.Kind;
import io.credence.charging.EventChargingTest.Rated;
import io.credence.ledger.IdentityType;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import io.credence.rating.NetworkType;
import io.credence.records.UsageRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a usage record says about a rated session's charge: the attributes the grant was rated with
 * (what revenue assurance and disputes read), the UPF, the price when money paid, and the balance
 * changes exactly as taken.
 */
class UsageRecordsTest {
    private static final String MSISDN = "491700000077";
    private static final String IMSI = "262011234567890";
    private static final String PHONE_IMEI = "3500001234567801";
    private final ChargingEngine engine = Rated.engine();

    private ChargingResult charge(String session, Kind kind, long number, Attributes attributes,
                                  ChargingRequest.ServiceUsage... services) {
        List<ChargingRequest.Identity> identities = kind == Kind.INITIAL
                ? List.of(new ChargingRequest.Identity(IdentityType.E164, MSISDN),
                new ChargingRequest.Identity(IdentityType.IMSI, IMSI)) : List.of();
        ChargingRequest request = new ChargingRequest(session, kind, number, number, 0, false,
                ChargingRequest.EventAction.NONE, identities, EngineConfig.CONTEXT_PS, List.of(services), attributes,
                new ChargingRequest.Origin("diameter", "pgw", "pgw", "operator.test", -1));
        return ((EngineOutcome.Charged) engine.apply(new EngineCommand.Charge(request), Rated.T0 + number)).result();
    }

    private static ChargingRequest.ServiceUsage data(String upf, Long requested, Long used) {
        return new ChargingRequest.ServiceUsage(ServiceKey.of(Rated.RG_DATA, ServiceRef.NONE, upf),
                requested == null ? null : Map.of(Unit.BYTES, requested), used == null ? null : Map.of(Unit.BYTES, used),
                null);
    }

    @Test
    void aCallersRecordNamesBothEndsTheBandTheCatalogAndTheUpf() {
        String account = Rated.subscriber(engine, MSISDN, Unit.BYTES, 10_000);
        // a phone on LTE visiting 262-02 with a 262-01 IMSI, calling a 5G terminal over trunk-1
        Attributes caller = new Attributes(NetworkType.LTE, PHONE_IMEI, "26202", NetworkType.NR, false, "trunk-1");
        assertThat(charge("u1", Kind.INITIAL, 0, caller, data("upf-7", 2_000L, null)).outcome().result())
                .isEqualTo(Result.SUCCESS);
        ChargingResult t = charge("u1", Kind.TERMINATE, 1, null, data("upf-7", null, 1_500L));
        assertThat(t.records()).singleElement().satisfies(r -> {
            assertThat(r.attributes()).isEqualTo(Map.of("callingNetwork", "LTE", "callingTerminal", "PHONE",
                    "callingRoaming", "true", "calledNetwork", "NR", "outlet", "trunk-1", "band", "always",
                    "catalogVersion", Rated.VERSION, "upf", "upf-7"));
            assertThat(r.service()).isEqualTo("data");
            assertThat(r.rule()).isEqualTo("data per kB");
            assertThat(r.tariff()).isEqualTo("data");
            assertThat(r.decision()).isEqualTo(UsageRecord.CHARGED);
            assertThat(r.currency()).isEqualTo("EUR");
            assertThat(r.rawUnits()).isEqualTo(1_500);
            assertThat(r.price()).as("paid from bytes, not money").isZero();
            assertThat(r.balances()).containsExactly(new UsageRecord.BalanceChange(account, Unit.BYTES, -1_500));
        });
    }

    @Test
    void aCalledPartysRecordNamesItsOwnTerminalAsTheCalledOne() {
        Rated.subscriber(engine, MSISDN, Unit.BYTES, 10_000);
        Attributes called = new Attributes(NetworkType.LTE, PHONE_IMEI, null, null, true, null);
        charge("u2", Kind.INITIAL, 0, called, data(null, 2_000L, null));
        ChargingResult t = charge("u2", Kind.TERMINATE, 1, null, data(null, null, 700L));
        assertThat(t.records()).singleElement().satisfies(r -> assertThat(r.attributes()).isEqualTo(Map.of(
                "calledNetwork", "LTE", "calledTerminal", "PHONE", "band", "always", "catalogVersion", Rated.VERSION)));
    }

    @Test
    void aGrantHeldInMoneyIsRecordedAtItsPriceAndTheMoneyTaken() {
        String account = Rated.subscriber(engine, MSISDN, Unit.MONEY, 1_000);
        ChargingResult i = charge("u3", Kind.INITIAL, 0, null, data(null, 2_000L, null));
        assertThat(i.outcome().services()).singleElement().satisfies(s -> assertThat(s.granted()).isEqualTo(2_000));
        assertThat(Rated.available(engine, account, Unit.MONEY)).as("2 kB at 5 held").isEqualTo(990);
        ChargingResult t = charge("u3", Kind.TERMINATE, 1, null, data(null, null, 1_500L));
        assertThat(t.records()).singleElement().satisfies(r -> {
            assertThat(r.unit()).isEqualTo(Unit.BYTES);
            assertThat(r.rawUnits()).isEqualTo(1_500);
            assertThat(r.price()).as("two begun kB").isEqualTo(10);
            assertThat(r.balances()).containsExactly(new UsageRecord.BalanceChange(account, Unit.MONEY, -10));
        });
        assertThat(t.unrecovered()).isEmpty();
        assertThat(Rated.available(engine, account, Unit.MONEY)).isEqualTo(990);
    }

    @Test
    void usageNothingPaidForHasNoBalanceChangeAndItsWholeAmountUnrecovered() {
        String account = Rated.subscriber(engine, MSISDN);
        // a stray update naming the subscriber: charged from a balance that is empty
        ChargingRequest stray = new ChargingRequest("u4", Kind.UPDATE, 3, 3, 0, false, ChargingRequest.EventAction.NONE,
                List.of(new ChargingRequest.Identity(IdentityType.E164, MSISDN)), EngineConfig.CONTEXT_PS,
                List.of(TestRequests.data(10, null, 500L)), null, null);
        ChargingResult result = ((EngineOutcome.Charged) engine.apply(new EngineCommand.Charge(stray), Rated.T0))
                .result();
        assertThat(result.outcome().result()).isEqualTo(Result.UNKNOWN_SESSION);
        assertThat(result.records()).singleElement().satisfies(r -> {
            assertThat(r.accountId()).isEqualTo(account);
            assertThat(r.origin()).as("a request without an origin").isEqualTo("engine");
            assertThat(r.rawUnits()).isEqualTo(500);
            assertThat(r.balances()).isEmpty();
            assertThat(r.attributes()).isEqualTo(Map.of("unrecovered", "500", "unrecoveredUnit", "BYTES"));
        });
    }
}
