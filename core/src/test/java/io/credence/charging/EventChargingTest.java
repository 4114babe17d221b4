package io.credence.charging;

import io.credence.charging.ChargingOutcome.Result;
import io.credence.charging.ChargingOutcome.ServiceOutcome;
import io.credence.charging.ChargingRequest.EventAction;
import io.credence.charging.ChargingRequest.Kind;
import io.credence.ledger.AccountKind;
import io.credence.ledger.Command;
import io.credence.ledger.IdentityType;
import io.credence.ledger.Ids;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Operation;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import io.credence.rating.Catalog;
import io.credence.rating.CatalogException;
import io.credence.rating.Rule;
import io.credence.rating.Tariff;
import io.credence.rating.TerminalType;
import io.credence.rating.TerminalTypes;
import io.credence.rating.TimeBand;
import io.credence.records.UsageRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One-shot events (CCR-E) priced by a catalog: a debit is paid from the service's units when they
 * cover it whole, else in money at the tariff, never in part; a free rule delivers without
 * charging; refunds come from the counterparty; price enquiries and balance checks take nothing.
 */
class EventChargingTest {
    /**
     * A small rated catalog and an engine with it installed (also used by the usage-record and
     * settlement tests of this package).
     *
     * <pre>
     *   rg 100 voice   SECONDS        tariff voice: the first minute free, then 2 per second
     *   rg 200 sms     SERVICE_UNITS  tariff sms: 9 each
     *   rg  30 data    BYTES          tariff data: 5 per 1000 bytes in band "always" (50 outside it)
     *   rg 300 promo   SERVICE_UNITS  no rule and no money tariff: its own units only
     *   rg 400 freebie SECONDS        free by rule "free calls"
     *   rg 500 mms     SERVICE_UNITS  denied by rule "no mms"
     * </pre>
     */
    static final class Rated {
        static final long T0 = 1_800_000_000_000L;
        static final String VERSION = "rated-1";
        static final long RG_VOICE = 100;
        static final long RG_SMS = 200;
        static final long RG_DATA = 30;
        static final long RG_PROMO = 300;
        static final long RG_FREE = 400;
        static final long RG_MMS = 500;
        static final Catalog CATALOG = catalog();
        /** Reads the one source this catalog is installed from; any other is refused as a bad file would be. */
        static final CatalogReader READER = source -> {
            if (!VERSION.equals(new String(source, StandardCharsets.UTF_8))) {
                throw new CatalogException("catalog", "not a catalog file");
            }
            return new CatalogReader.Contents(CATALOG, null);
        };
        private static int commands;

        private Rated() {}

        private static Catalog catalog() {
            Tariff voice = new Tariff("voice", Unit.SECONDS, List.of(new Tariff.Step(60, 60, 0),
                    new Tariff.Step(Long.MAX_VALUE, 1, 2)), Tariff.Rounding.UP, 0, Map.of());
            Tariff sms = new Tariff("sms", Unit.SERVICE_UNITS, List.of(new Tariff.Step(Long.MAX_VALUE, 1, 9)),
                    Tariff.Rounding.UP, 0, Map.of());
            Tariff data = new Tariff("data", Unit.BYTES, List.of(new Tariff.Step(Long.MAX_VALUE, 1000, 50)),
                    Tariff.Rounding.UP, 0, Map.of("always", List.of(new Tariff.Step(Long.MAX_VALUE, 1000, 5))));
            return new Catalog(VERSION, "EUR", ZoneId.of("UTC"),
                    Map.of("always", new TimeBand("always", EnumSet.allOf(DayOfWeek.class), LocalTime.MIDNIGHT,
                            LocalTime.MIDNIGHT)),
                    Map.of("voice", voice, "sms", sms, "data", data),
                    Map.of("voice", new Catalog.Service("voice", Unit.SECONDS, Set.of(RG_VOICE), 300, "voice"),
                            "sms", new Catalog.Service("sms", Unit.SERVICE_UNITS, Set.of(RG_SMS), 1, "sms"),
                            "data", new Catalog.Service("data", Unit.BYTES, Set.of(RG_DATA), 1000, null),
                            "promo", new Catalog.Service("promo", Unit.SERVICE_UNITS, Set.of(RG_PROMO), 1, null),
                            "freebie", new Catalog.Service("freebie", Unit.SECONDS, Set.of(RG_FREE), 60, null),
                            "mms", new Catalog.Service("mms", Unit.SERVICE_UNITS, Set.of(RG_MMS), 1, null)),
                    List.of(rule("voice per second", "voice", new Rule.Decision.Charge("voice")),
                            rule("sms at 9", "sms", new Rule.Decision.Charge("sms")),
                            rule("data per kB", "data", new Rule.Decision.Charge("data")),
                            rule("free calls", "freebie", new Rule.Decision.Free()),
                            rule("no mms", "mms", new Rule.Decision.Deny("mms is not sold"))),
                    Map.of(), new TerminalTypes(List.of(new TerminalTypes.TacRange(35_000_000, 35_099_999,
                            TerminalType.PHONE)), List.of()));
        }

        private static Rule rule(String name, String service, Rule.Decision decision) {
            return new Rule(name, service, null, null, null, null, null, null, null, decision);
        }

        /** An engine at {@link #T0} with the catalog installed. */
        static ChargingEngine engine() {
            ChargingEngine engine = new ChargingEngine(LedgerLimits.DEFAULTS, READER);
            EngineOutcome installed = engine.apply(new EngineCommand.InstallCatalog(
                    VERSION.getBytes(StandardCharsets.UTF_8)), T0);
            assertThat(installed).isEqualTo(new EngineOutcome.CatalogInstalled(VERSION, null));
            return engine;
        }

        static void ledger(ChargingEngine engine, Operation op) {
            assertThat(engine.apply(new Command("rated-setup-" + commands++, op), engine.nowMillis()).accepted())
                    .isTrue();
        }

        /** An account "acct-MSISDN" bound to its MSISDN, with these amounts (unit, amount, unit, amount...). */
        static String subscriber(ChargingEngine engine, String msisdn, Object... amounts) {
            String account = "acct-" + msisdn;
            ledger(engine, new Operation.CreateAccount(account, AccountKind.SUBSCRIBER, Map.of()));
            for (int i = 0; i < amounts.length; i += 2) {
                ledger(engine, new Operation.TopUp(Ids.SYSTEM_ACCOUNT, account, (Unit) amounts[i],
                        ((Number) amounts[i + 1]).longValue(), null));
            }
            ledger(engine, new Operation.BindIdentity(IdentityType.E164, msisdn, account));
            return account;
        }

        static long available(ChargingEngine engine, String account, Unit unit) {
            return engine.ledger().available(account, unit, ServiceRef.ANY).orElseThrow();
        }

        static ChargingRequest.ServiceUsage usage(long rg, Unit unit, Long requested, Long used) {
            return new ChargingRequest.ServiceUsage(ServiceKey.of(rg, ServiceRef.NONE, null),
                    requested == null ? null : Map.of(unit, requested), used == null ? null : Map.of(unit, used), null);
        }
    }

    private static final String MSISDN = "491700000042";
    private final ChargingEngine engine = Rated.engine();
    private int sessions;

    private ChargingResult event(EventAction action, ChargingRequest.ServiceUsage... services) {
        ChargingRequest request = new ChargingRequest("event-" + sessions++, Kind.EVENT, 0, 0, 0, false, action,
                List.of(new ChargingRequest.Identity(IdentityType.E164, MSISDN)), EngineConfig.CONTEXT_SMS,
                List.of(services), null, new ChargingRequest.Origin("diameter", "smsc", "smsc", "operator.test", -1));
        return ((EngineOutcome.Charged) engine.apply(new EngineCommand.Charge(request), Rated.T0)).result();
    }

    private long available(String account, Unit unit) {
        return Rated.available(engine, account, unit);
    }

    private static ServiceOutcome only(ChargingResult result) {
        assertThat(result.outcome().services()).hasSize(1);
        return result.outcome().services().get(0);
    }

    @Test
    void aDebitTheUnitsCoverExactlyIsPaidFromThemAndLeavesTheMoneyAlone() {
        String account = Rated.subscriber(engine, MSISDN, Unit.SECONDS, 90, Unit.MONEY, 1_000);
        ChargingResult debit = event(EventAction.DIRECT_DEBITING, Rated.usage(Rated.RG_VOICE, Unit.SECONDS, 90L, null));
        assertThat(debit.outcome().result()).isEqualTo(Result.SUCCESS);
        assertThat(only(debit).granted()).isEqualTo(90);
        assertThat(only(debit).unit()).isEqualTo(Unit.SECONDS);
        assertThat(available(account, Unit.SECONDS)).isZero();
        assertThat(available(account, Unit.MONEY)).isEqualTo(1_000);
        assertThat(debit.records()).singleElement().satisfies(r -> {
            assertThat(r.service()).isEqualTo("voice");
            assertThat(r.rule()).isEqualTo("voice per second");
            assertThat(r.tariff()).isEqualTo("voice");
            assertThat(r.decision()).isEqualTo(UsageRecord.CHARGED);
            assertThat(r.rawUnits()).isEqualTo(90);
            assertThat(r.price()).as("paid in units, not money").isZero();
            assertThat(r.balances()).containsExactly(new UsageRecord.BalanceChange(account, Unit.SECONDS, -90));
        });
    }

    @Test
    void unitsThatDoNotCoverTheWholeEventAreLeftAndTheEventIsPaidInMoney() {
        String account = Rated.subscriber(engine, MSISDN, Unit.SECONDS, 89, Unit.MONEY, 1_000);
        ChargingResult debit = event(EventAction.DIRECT_DEBITING, Rated.usage(Rated.RG_VOICE, Unit.SECONDS, 90L, null));
        assertThat(debit.outcome().result()).isEqualTo(Result.SUCCESS);
        assertThat(only(debit).granted()).isEqualTo(90);
        assertThat(available(account, Unit.SECONDS)).isEqualTo(89);
        // the first minute is free, the other 30 seconds cost 2 each
        assertThat(available(account, Unit.MONEY)).isEqualTo(940);
        assertThat(debit.records()).singleElement().satisfies(r -> {
            assertThat(r.rawUnits()).isEqualTo(90);
            assertThat(r.price()).isEqualTo(60);
            assertThat(r.currency()).isEqualTo("EUR");
            assertThat(r.balances()).containsExactly(new UsageRecord.BalanceChange(account, Unit.MONEY, -60));
        });
    }

    @Test
    void aDebitWithinTheTariffsFreeMinuteTakesNoMoneyAndIsStillRecorded() {
        String account = Rated.subscriber(engine, MSISDN, Unit.MONEY, 5);
        ChargingResult debit = event(EventAction.DIRECT_DEBITING, Rated.usage(Rated.RG_VOICE, Unit.SECONDS, 60L, null));
        assertThat(debit.outcome().result()).isEqualTo(Result.SUCCESS);
        assertThat(only(debit).granted()).isEqualTo(60);
        assertThat(available(account, Unit.MONEY)).isEqualTo(5);
        assertThat(debit.records()).singleElement().satisfies(r -> {
            assertThat(r.rawUnits()).isEqualTo(60);
            assertThat(r.price()).isZero();
            assertThat(r.balances()).isEmpty();
        });
    }

    @Test
    void aDebitTheMoneyCannotPayIsRefusedWholeAndTakesNothing() {
        String account = Rated.subscriber(engine, MSISDN, Unit.MONEY, 59);
        ChargingResult debit = event(EventAction.DIRECT_DEBITING, Rated.usage(Rated.RG_VOICE, Unit.SECONDS, 90L, null));
        assertThat(debit.outcome().result()).isEqualTo(Result.CREDIT_LIMIT_REACHED);
        assertThat(only(debit).granted()).isZero();
        assertThat(available(account, Unit.MONEY)).isEqualTo(59);
        assertThat(debit.records()).isEmpty();
    }

    @Test
    void aServiceWithoutAMoneyTariffIsDebitedFromItsUnitsOnly() {
        String account = Rated.subscriber(engine, MSISDN, Unit.SERVICE_UNITS, 1, Unit.MONEY, 1_000);
        ChargingResult first = event(EventAction.DIRECT_DEBITING, Rated.usage(Rated.RG_PROMO, Unit.SERVICE_UNITS, 1L,
                null));
        assertThat(first.outcome().result()).isEqualTo(Result.SUCCESS);
        assertThat(first.records()).singleElement().satisfies(r -> {
            assertThat(r.rule()).as("no rule decided: unrated by the catalog's rules").isNull();
            assertThat(r.tariff()).isNull();
        });
        ChargingResult second = event(EventAction.DIRECT_DEBITING, Rated.usage(Rated.RG_PROMO, Unit.SERVICE_UNITS, 1L,
                null));
        assertThat(second.outcome().result()).isEqualTo(Result.CREDIT_LIMIT_REACHED);
        assertThat(only(second).problem()).isNull();
        assertThat(available(account, Unit.SERVICE_UNITS)).isZero();
        assertThat(available(account, Unit.MONEY)).isEqualTo(1_000);
    }

    @Test
    void aDebitOnAFreeServiceDeliversWithoutChargingAndIsRecordedFree() {
        String account = Rated.subscriber(engine, MSISDN, Unit.SECONDS, 100, Unit.MONEY, 1_000);
        ChargingResult debit = event(EventAction.DIRECT_DEBITING, Rated.usage(Rated.RG_FREE, Unit.SECONDS, 30L, null));
        assertThat(debit.outcome().result()).isEqualTo(Result.SUCCESS);
        assertThat(only(debit).granted()).isEqualTo(30);
        assertThat(available(account, Unit.SECONDS)).isEqualTo(100);
        assertThat(available(account, Unit.MONEY)).isEqualTo(1_000);
        assertThat(debit.records()).singleElement().satisfies(r -> {
            assertThat(r.decision()).isEqualTo(UsageRecord.FREE);
            assertThat(r.rule()).isEqualTo("free calls");
            assertThat(r.rawUnits()).isEqualTo(30);
            assertThat(r.price()).isZero();
            assertThat(r.balances()).as("nothing taken, no balance change, not even of zero").isEmpty();
        });
    }

    @Test
    void aDebitARuleDeniesIsRefusedWithTheRulesReason() {
        String account = Rated.subscriber(engine, MSISDN, Unit.SERVICE_UNITS, 5);
        ChargingResult debit = event(EventAction.DIRECT_DEBITING, Rated.usage(Rated.RG_MMS, Unit.SERVICE_UNITS, 1L,
                null));
        assertThat(debit.outcome().result()).isEqualTo(Result.END_USER_SERVICE_DENIED);
        assertThat(only(debit).problem()).isEqualTo("denied by rule 'no mms': mms is not sold");
        assertThat(available(account, Unit.SERVICE_UNITS)).isEqualTo(5);
        assertThat(debit.records()).isEmpty();
    }

    @Test
    void debitsAndRefundsGoToAndComeFromTheConfiguredCounterparty() {
        engine.apply(new EngineCommand.Configure(EngineConfig.defaults().withCounterparty("revenue")), Rated.T0);
        Rated.ledger(engine, new Operation.CreateAccount("revenue", AccountKind.SUBSCRIBER, Map.of()));
        Rated.ledger(engine, new Operation.TopUp(Ids.SYSTEM_ACCOUNT, "revenue", Unit.MONEY, 500, null));
        Rated.ledger(engine, new Operation.TopUp(Ids.SYSTEM_ACCOUNT, "revenue", Unit.SECONDS, 500, null));
        String account = Rated.subscriber(engine, MSISDN, Unit.MONEY, 1_000);

        ChargingResult sms = event(EventAction.DIRECT_DEBITING, Rated.usage(Rated.RG_SMS, Unit.SERVICE_UNITS, 2L, null));
        assertThat(sms.outcome().result()).isEqualTo(Result.SUCCESS);
        assertThat(available(account, Unit.MONEY)).isEqualTo(982);
        assertThat(available("revenue", Unit.MONEY)).isEqualTo(518);

        ChargingResult refund = event(EventAction.REFUND_ACCOUNT, Rated.usage(Rated.RG_VOICE, Unit.SECONDS, 300L,
                null));
        assertThat(refund.outcome().result()).isEqualTo(Result.SUCCESS);
        assertThat(only(refund).granted()).isEqualTo(300);
        assertThat(only(refund).unit()).isEqualTo(Unit.SECONDS);
        assertThat(available(account, Unit.SECONDS)).isEqualTo(300);
        assertThat(available("revenue", Unit.SECONDS)).as("the refund is paid by the counterparty").isEqualTo(200);
    }

    @Test
    void aRefundOfZeroUsedUnitsSucceedsAndMovesNothing() {
        String account = Rated.subscriber(engine, MSISDN, Unit.SECONDS, 1_000);
        ChargingResult refund = event(EventAction.REFUND_ACCOUNT, Rated.usage(Rated.RG_VOICE, Unit.SECONDS, null, 0L));
        assertThat(refund.outcome().result()).isEqualTo(Result.SUCCESS);
        assertThat(only(refund).granted()).isZero();
        assertThat(only(refund).unit()).isNull();
        assertThat(available(account, Unit.SECONDS)).isEqualTo(1_000);
    }

    @Test
    void aPriceEnquiryQuotesTheTariffFreeRulesAtZeroAndNothingWithoutAPrice() {
        String account = Rated.subscriber(engine, MSISDN, Unit.MONEY, 1_000);
        ChargingOutcome voice = event(EventAction.PRICE_ENQUIRY, Rated.usage(Rated.RG_VOICE, Unit.SECONDS, 90L, null))
                .outcome();
        assertThat(voice.result()).isEqualTo(Result.SUCCESS);
        assertThat(voice.price()).isEqualTo(60);
        ChargingOutcome free = event(EventAction.PRICE_ENQUIRY, Rated.usage(Rated.RG_FREE, Unit.SECONDS, 90L, null))
                .outcome();
        assertThat(free.result()).isEqualTo(Result.SUCCESS);
        assertThat(free.price()).isZero();
        ChargingOutcome promo = event(EventAction.PRICE_ENQUIRY, Rated.usage(Rated.RG_PROMO, Unit.SERVICE_UNITS, 1L,
                null)).outcome();
        assertThat(promo.result()).as("units only: no price to quote").isEqualTo(Result.RATING_FAILED);
        assertThat(promo.price()).isEqualTo(-1);
        ChargingOutcome denied = event(EventAction.PRICE_ENQUIRY, Rated.usage(Rated.RG_MMS, Unit.SERVICE_UNITS, 1L,
                null)).outcome();
        assertThat(denied.result()).isEqualTo(Result.RATING_FAILED);
        assertThat(denied.price()).isEqualTo(-1);
        assertThat(available(account, Unit.MONEY)).as("enquiries take nothing").isEqualTo(1_000);
    }

    @Test
    void aBalanceCheckMayAskInMoneyWhateverTheServicesUnit() {
        String account = Rated.subscriber(engine, MSISDN, Unit.MONEY, 500);
        ChargingOutcome enough = event(EventAction.CHECK_BALANCE, Rated.usage(Rated.RG_VOICE, Unit.MONEY, 500L, null))
                .outcome();
        assertThat(enough.result()).isEqualTo(Result.SUCCESS);
        assertThat(enough.enoughCredit()).isTrue();
        ChargingOutcome short1 = event(EventAction.CHECK_BALANCE, Rated.usage(Rated.RG_VOICE, Unit.MONEY, 501L, null))
                .outcome();
        assertThat(short1.enoughCredit()).isFalse();
        // a debit must be asked in the service's own unit
        ChargingOutcome debit = event(EventAction.DIRECT_DEBITING, Rated.usage(Rated.RG_VOICE, Unit.MONEY, 100L, null))
                .outcome();
        assertThat(debit.result()).isEqualTo(Result.RATING_FAILED);
        assertThat(available(account, Unit.MONEY)).isEqualTo(500);
    }
}
