package io.credence.server;

import io.credence.journal.Submission;
import io.credence.ledger.AccountKind;
import io.credence.ledger.Command;
import io.credence.ledger.IdentityType;
import io.credence.ledger.Ids;
import io.credence.ledger.Operation;
import io.credence.ledger.Outcome;
import io.credence.ledger.Unit;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Test set-up straight on a running server's ledger: subscribers with money and an E.164 identity. */
public final class Subscribers {
    private Subscribers() {}

    public static void create(CredenceServer server, String account, String msisdn, Unit unit, long amount) {
        for (Operation op : List.of(new Operation.CreateAccount(account, AccountKind.SUBSCRIBER, Map.of()),
                new Operation.TopUp(Ids.SYSTEM_ACCOUNT, account, unit, amount, null),
                new Operation.BindIdentity(IdentityType.E164, msisdn, account))) {
            Outcome o = await(server.ledger().submit(new Command("setup-" + account + "-" + op.getClass().getSimpleName(),
                    op)));
            if (!o.accepted()) {
                throw new IllegalStateException("set-up refused: " + o);
            }
        }
    }

    public static <T> T await(Submission<T> submission) {
        try {
            return ((Submission.Accepted<T>) submission).answer().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
