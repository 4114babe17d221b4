package io.credence.charging;

import io.credence.charging.ChargingOutcome.Result;
import io.credence.charging.ChargingRequest.Kind;
import io.credence.ledger.AccountKind;
import io.credence.ledger.Command;
import io.credence.ledger.IdentityType;
import io.credence.ledger.Ids;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Operation;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the engine shows of its sessions: counts, views, an account's open sessions, a session opened twice. */
class EngineViewTest {
    private static final long T0 = 1_800_000_000_000L;
    private final ChargingEngine engine = new ChargingEngine(LedgerLimits.DEFAULTS, CatalogReader.NONE);
    private int commands;

    private void ledger(Operation op) {
        assertThat(engine.apply(new Command("setup-" + commands++, op), T0).accepted()).isTrue();
    }

    private String subscriber(String msisdn) {
        String account = "acct-" + msisdn;
        ledger(new Operation.CreateAccount(account, AccountKind.SUBSCRIBER, Map.of()));
        ledger(new Operation.TopUp(Ids.SYSTEM_ACCOUNT, account, Unit.BYTES, 10_000, null));
        ledger(new Operation.BindIdentity(IdentityType.E164, msisdn, account));
        return account;
    }

    private ChargingResult charge(String session, Kind kind, long number, String msisdn, Long requested, Long used) {
        List<ChargingRequest.Identity> identities = msisdn == null ? List.of()
                : List.of(new ChargingRequest.Identity(IdentityType.E164, msisdn));
        ChargingRequest.ServiceUsage data = new ChargingRequest.ServiceUsage(ServiceKey.of(10, ServiceRef.NONE, null),
                requested == null ? null : Map.of(Unit.BYTES, requested), used == null ? null : Map.of(Unit.BYTES, used),
                null);
        ChargingRequest request = new ChargingRequest(session, kind, number, number, 0, false,
                ChargingRequest.EventAction.NONE, identities, EngineConfig.CONTEXT_PS, List.of(data), null,
                new ChargingRequest.Origin("diameter", "pgw", "pgw", "operator.test", -1));
        return ((EngineOutcome.Charged) engine.apply(new EngineCommand.Charge(request), T0 + number)).result();
    }

    @Test
    void countsAndViewsFollowASessionFromOpenToFinished() {
        String account = subscriber("491700000001");
        assertThat(engine.catalogVersion()).isEmpty();
        assertThat(engine.admissionPolicy()).isEmpty();
        assertThat(engine.sessionCount()).isZero();
        assertThat(engine.openSessionCount()).isZero();
        assertThat(engine.session("s1")).isEmpty();

        assertThat(charge("s1", Kind.INITIAL, 0, "491700000001", 4_000L, null).outcome().result())
                .isEqualTo(Result.SUCCESS);
        assertThat(engine.sessionCount()).isEqualTo(1);
        assertThat(engine.openSessionCount()).isEqualTo(1);
        ChargingEngine.SessionView view = engine.session("s1").orElseThrow();
        assertThat(view.sessionId()).isEqualTo("s1");
        assertThat(view.accountId()).isEqualTo(account);
        assertThat(view.open()).isTrue();
        assertThat(view.grants()).singleElement().satisfies(g -> assertThat(g.amount()).isEqualTo(4_000));
        assertThat(engine.sessions(10)).extracting(ChargingEngine.SessionView::sessionId).containsExactly("s1");
        assertThat(engine.sessionsOf(account)).extracting(ChargingEngine.SessionView::sessionId)
                .containsExactly("s1");
        assertThat(engine.sessionsOf("nobody")).isEmpty();

        ChargingResult again = charge("s1", Kind.INITIAL, 5, "491700000001", 4_000L, null);
        assertThat(again.outcome().result()).as("a second start of an open session").isEqualTo(Result.INVALID_VALUE);
        assertThat(engine.openSessionCount()).isEqualTo(1);

        assertThat(charge("s1", Kind.TERMINATE, 6, null, null, 1_000L).outcome().result()).isEqualTo(Result.SUCCESS);
        assertThat(engine.sessionCount()).as("kept for its retries").isEqualTo(1);
        assertThat(engine.openSessionCount()).isZero();
        assertThat(engine.session("s1").orElseThrow().open()).isFalse();
        assertThat(engine.sessions(10)).isEmpty();
        assertThat(engine.sessionsOf(account)).isEmpty();
    }
}
