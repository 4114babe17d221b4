package io.credence.charging;

import io.credence.ledger.Rejection;

/** What a {@link DirectoryCommand} came to. */
public sealed interface DirectoryAnswer {
    /** The change is made (or was already so). */
    record Done() implements DirectoryAnswer {}

    /** @param again the SIM existed exactly so (same account and secret): a retried create */
    record SimCreated(String simId, String accountId, boolean again) implements DirectoryAnswer {}

    /** The SIM exists with another account or secret; nothing changed. */
    record SimExists(String simId, String accountId) implements DirectoryAnswer {}

    record UnknownAccount(String accountId) implements DirectoryAnswer {}

    record UnknownSim(String simId) implements DirectoryAnswer {}

    record UnknownBaseStation(String baseStationId) implements DirectoryAnswer {}

    /** A table is at its bound; nothing changed. */
    record Full(String table, int max) implements DirectoryAnswer {}

    /** Unknown SIM or wrong secret: the two are not told apart. */
    record BadCredentials() implements DirectoryAnswer {}

    record BoundElsewhere(String deviceId) implements DirectoryAnswer {}

    /** The device holds the SIM now; where its reports stand. */
    record Registered(String simId, String deviceId, String accountId, long lastReportSeq, long reportedBytes)
            implements DirectoryAnswer {}

    /**
     * @param moved         false when the SIM was on that account already (a retried move)
     * @param lastReportSeq the SIM's last report number, which the new account's stream starts after
     */
    record Moved(String simId, String fromAccountId, String accountId, boolean moved, long lastReportSeq,
                 long reportedBytes, String deviceId) implements DirectoryAnswer {}

    /** The ledger refused the move (e.g. the new account has all its report streams); nothing moved. */
    record MoveRefused(Rejection rejection) implements DirectoryAnswer {}
}
