package io.credence.ledger;

import java.util.List;
import java.util.Optional;

/**
 * What the ledger lets a reader see, and nothing that changes it: queries run against this on the
 * writer thread, so no read path can move a balance without a journal record.
 */
public interface LedgerView {
    LedgerLimits limits();

    /** The ledger's time: the latest command's, or the writer's last tick. */
    long nowMillis();

    Optional<AccountStatus> status(String accountId);

    Optional<AccountView> account(String accountId);

    Optional<String> accountForIdentity(IdentityType type, String value);

    List<SubscriberIdentity> identitiesOf(String accountId);

    Optional<SequenceView> sequence(String accountId, String stream);

    Optional<Long> available(String accountId, Unit unit, ServiceRef service);

    Optional<ReservationView> openReservationTagged(String tag);

    Optional<Outcome> outcomeOf(String requestId);

    Optional<ReservationView> reservation(long reservationId);

    Optional<List<TransferRecord>> transfers(String accountId, long beforeSeq, int limit);

    int accountCount();

    int identityCount();

    int openReservationCount();

    int requestIdCount();

    long lastTransferSeq();

    /** Recomputes every invariant from scratch and throws when one is broken (slow: tests, recovery). */
    void verifyInvariants();
}
