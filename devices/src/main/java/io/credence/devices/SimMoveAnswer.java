package io.credence.devices;

import io.credence.ledger.Rejection;

/** What moving a SIM came to ({@link DeviceQuota#move}). */
public sealed interface SimMoveAnswer {
    /**
     * @param moved         false when the SIM was on that account already (a retried move)
     * @param lastReportSeq the SIM's last report number, which the new account's stream starts after
     */
    record Moved(String simId, String fromAccountId, String accountId, boolean moved, long lastReportSeq,
                 long reportedBytes, String deviceId) implements SimMoveAnswer {}

    record UnknownSim(String simId) implements SimMoveAnswer {}

    record UnknownAccount(String accountId) implements SimMoveAnswer {}

    /** The ledger refused (e.g. the new account has its 16 sequence streams already); nothing moved. */
    record Refused(Rejection rejection) implements SimMoveAnswer {}
}
