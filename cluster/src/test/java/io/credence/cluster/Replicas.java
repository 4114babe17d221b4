package io.credence.cluster;

import io.credence.charging.EngineCommand;
import io.credence.charging.EngineOutcome;
import io.credence.journal.Submission;
import io.credence.ledger.Command;
import io.credence.ledger.Outcome;
import io.credence.ledger.ServiceRef;
import io.credence.ledger.Unit;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** What the cluster tests ask of a replica: a ledger command through it, a balance read through it. */
final class Replicas {
    private Replicas() {}

    /** Submits through {@code node} and waits for the outcome every replica computes. */
    static Outcome apply(ReplicatedEngine node, Command command) throws Exception {
        Submission<EngineOutcome> submission = node.submit(new EngineCommand.LedgerCommand(command));
        assertThat(submission).isInstanceOf(Submission.Accepted.class);
        EngineOutcome outcome = ((Submission.Accepted<EngineOutcome>) submission).answer().get(30, TimeUnit.SECONDS);
        return ((EngineOutcome.LedgerOutcome) outcome).outcome();
    }

    /** The account's available money, read linearizably through {@code node}'s own replica. */
    static long money(ReplicatedEngine node, String account) throws Exception {
        return node.ask(view -> view.ledger().available(account, Unit.MONEY, ServiceRef.ANY).orElseThrow())
                .get(30, TimeUnit.SECONDS);
    }
}
