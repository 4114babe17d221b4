package io.credence.charging;

import io.credence.charging.ChargingOutcome.Result;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** One-shot events without a catalog: balance checks at the edge, price enquiries, debits and refunds. */
class EventsTest {
    private static final long T0 = 1_800_000_000_000L;
    private static final String MSISDN = "491700000009";
    private static final String ACCOUNT = "acct-" + MSISDN;
    private final ChargingEngine engine = new ChargingEngine(LedgerLimits.DEFAULTS, CatalogReader.NONE);
    private int commands;

    private void ledger(Operation op) {
        assertThat(engine.apply(new Command("setup-" + commands++, op), T0).accepted()).isTrue();
    }

    @BeforeEach
    void subscriber() {
        ledger(new Operation.CreateAccount(ACCOUNT, AccountKind.SUBSCRIBER, Map.of()));
        ledger(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, ACCOUNT, Unit.BYTES, 1_000, null));
        ledger(new Operation.BindIdentity(IdentityType.E164, MSISDN, ACCOUNT));
    }

    private long available() {
        return engine.ledger().available(ACCOUNT, Unit.BYTES, ServiceRef.ANY).orElseThrow();
    }

    private static ChargingRequest.ServiceUsage usage(Unit unit, Long requested, Long used) {
        return new ChargingRequest.ServiceUsage(ServiceKey.of(10, ServiceRef.NONE, null),
                requested == null ? null : Map.of(unit, requested), used == null ? null : Map.of(unit, used), null);
    }

    private ChargingOutcome event(String session, EventAction action, ChargingRequest.ServiceUsage... services) {
        ChargingRequest request = new ChargingRequest(session, Kind.EVENT, 0, 0, 0, false, action,
                List.of(new ChargingRequest.Identity(IdentityType.E164, MSISDN)), EngineConfig.CONTEXT_PS,
                List.of(services), null, new ChargingRequest.Origin("diameter", "pgw", "pgw", "operator.test", -1));
        return ((EngineOutcome.Charged) engine.apply(new EngineCommand.Charge(request), T0)).result().outcome();
    }

    @Test
    void aBalanceCheckIsEnoughAtExactlyTheBalance() {
        ChargingOutcome exactly = event("e1", EventAction.CHECK_BALANCE, usage(Unit.BYTES, 1_000L, null));
        assertThat(exactly.result()).isEqualTo(Result.SUCCESS);
        assertThat(exactly.enoughCredit()).isTrue();
        ChargingOutcome more = event("e2", EventAction.CHECK_BALANCE, usage(Unit.BYTES, 1_001L, null));
        assertThat(more.enoughCredit()).isFalse();
        assertThat(more.services()).extracting(ChargingOutcome.ServiceOutcome::result).containsExactly(Result.SUCCESS);
        assertThat(available()).as("a check takes nothing").isEqualTo(1_000);
    }

    @Test
    void moneyCostsItselfAndUnratedUnitsHaveNoPrice() {
        ChargingOutcome money = event("e1", EventAction.PRICE_ENQUIRY, usage(Unit.MONEY, 250L, null));
        assertThat(money.result()).isEqualTo(Result.SUCCESS);
        assertThat(money.price()).isEqualTo(250);
        ChargingOutcome bytes = event("e2", EventAction.PRICE_ENQUIRY, usage(Unit.BYTES, 250L, null));
        assertThat(bytes.services()).extracting(ChargingOutcome.ServiceOutcome::result)
                .containsExactly(Result.RATING_FAILED);
        assertThat(bytes.price()).isEqualTo(-1);
        assertThat(bytes.enoughCredit()).isNull();
    }

    @Test
    void aDirectDebitTakesTheWholeAmountOrNothing() {
        ChargingOutcome debit = event("e1", EventAction.DIRECT_DEBITING, usage(Unit.BYTES, 1_000L, null));
        assertThat(debit.result()).isEqualTo(Result.SUCCESS);
        assertThat(debit.services()).singleElement().satisfies(s -> {
            assertThat(s.unit()).isEqualTo(Unit.BYTES);
            assertThat(s.granted()).isEqualTo(1_000);
        });
        assertThat(available()).isZero();
        ChargingOutcome refused = event("e2", EventAction.DIRECT_DEBITING, usage(Unit.BYTES, 1L, null));
        assertThat(refused.services()).singleElement().satisfies(s -> assertThat(s.result())
                .isNotEqualTo(Result.SUCCESS));
        assertThat(available()).isZero();
    }

    @Test
    void aRefundGivesBackTheUsedOrRequestedAmount() {
        ChargingOutcome used = event("e1", EventAction.REFUND_ACCOUNT, usage(Unit.BYTES, null, 300L));
        assertThat(used.result()).isEqualTo(Result.SUCCESS);
        assertThat(used.services()).singleElement().satisfies(s -> assertThat(s.granted()).isEqualTo(300));
        assertThat(available()).isEqualTo(1_300);
        ChargingOutcome requested = event("e2", EventAction.REFUND_ACCOUNT, usage(Unit.BYTES, 200L, null));
        assertThat(requested.services()).singleElement().satisfies(s -> assertThat(s.granted()).isEqualTo(200));
        assertThat(available()).isEqualTo(1_500);
    }
}
