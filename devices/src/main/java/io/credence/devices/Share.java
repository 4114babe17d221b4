package io.credence.devices;

/**
 * One data share: the supplier's allowance lent to the borrower through a base station, up to
 * {@code limitBytes}. {@code usedBytes} and {@code feePaid} are what has been settled so far (the
 * ledger commits at every interim report). {@code cutOff} tells the base station to stop serving
 * (limit reached or a user cancelled); the share stays OPEN until the final report or expiry.
 *
 * @param requestKey the base station and its request id: a retried open finds the first share
 * @param day        days since the epoch (UTC) when it was agreed, for the supplier's daily maximum
 * @param endedBy    who asked to stop ("supplier", "borrower", "limit"), or null
 */
public record Share(String id, String requestKey, String baseStationId, String supplierSim, String borrowerSim,
                    String supplierAccount, String borrowerAccount, long limitBytes, long priceMinorPerMb,
                    long createdMillis, long day, Status status, long usedBytes, long feePaid, boolean cutOff,
                    String endedBy) {

    public enum Status {
        /** Being served (or cut off and waiting for the base station's final report). */
        OPEN,
        /** The base station's final report settled it. */
        SETTLED,
        /** No report came in time: settled from the last interim report, the rest released. */
        EXPIRED
    }

    public Share {
        if (limitBytes <= 0 || usedBytes < 0 || usedBytes > limitBytes || feePaid < 0 || priceMinorPerMb < 0) {
            throw new IllegalArgumentException("inconsistent share " + id + ": limit " + limitBytes + ", used "
                    + usedBytes + ", fee " + feePaid + ", price " + priceMinorPerMb);
        }
    }

    /** Money for {@code bytes} at the share's price per MB (10^6 bytes), rounded up to the minor unit. */
    long feeFor(long bytes) {
        return ShareRules.fee(bytes, priceMinorPerMb);
    }

    Share settled(Status next, long used, long fee) {
        return new Share(id, requestKey, baseStationId, supplierSim, borrowerSim, supplierAccount, borrowerAccount,
                limitBytes, priceMinorPerMb, createdMillis, day, next, used, fee, cutOff, endedBy);
    }

    Share cutOffBy(String who) {
        return new Share(id, requestKey, baseStationId, supplierSim, borrowerSim, supplierAccount, borrowerAccount,
                limitBytes, priceMinorPerMb, createdMillis, day, status, usedBytes, feePaid, true,
                endedBy == null ? who : endedBy);
    }
}
