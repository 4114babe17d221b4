package io.credence.ledger;

import io.credence.ledger.Operation.*;
import io.credence.ledger.Outcome.*;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LedgerSmokeTest {
    @Test
    void reserveCommitRelease() {
        Ledger ledger = new Ledger(LedgerLimits.DEFAULTS);
        long t = 1_000_000;
        assertThat(ledger.apply(new Command("c1", new CreateAccount("alice", AccountKind.SUBSCRIBER, Map.of())), t)).isInstanceOf(AccountCreated.class);
        assertThat(ledger.apply(new Command("c2", new CreateAccount("op", AccountKind.OPERATOR, Map.of())), t)).isInstanceOf(AccountCreated.class);
        assertThat(ledger.apply(new Command("t1", new TopUp("system", "alice", Unit.MONEY, 1000, null)), t)).isInstanceOf(ToppedUp.class);
        Outcome r = ledger.apply(new Command("r1", new Reserve("alice", "op", Unit.MONEY, 300, ServiceRef.ANY, 60_000)), t);
        assertThat(r).isInstanceOf(Reserved.class);
        long id = ((Reserved) r).reservationId();
        Outcome c = ledger.apply(new Command("k1", new Commit(id, 120, false)), t + 1);
        assertThat(c).isEqualTo(new Committed(id, 120, 180, 0, 2));
        assertThat(ledger.available("alice", Unit.MONEY, ServiceRef.ANY)).contains(880L);
        assertThat(ledger.apply(new Command("k1", new Commit(id, 120, false)), t + 2)).isEqualTo(c);
        assertThat(ledger.apply(new Command("k1", new Commit(id, 121, false)), t + 2)).isInstanceOf(Rejection.DuplicateRequest.class);
        ledger.verifyInvariants();
        assertThat(ledger.transfers("alice", 0, 10).orElseThrow()).hasSize(2);
    }
}
