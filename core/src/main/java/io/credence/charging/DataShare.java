package io.credence.charging;

import java.math.BigInteger;

/**
 * One data share: the supplier's allowance lent to the borrower through a base station, up to
 * {@code limitBytes}. {@code usedBytes} and {@code feePaid} are what has been settled so far (each
 * interim report settles what is new). {@code cutOff} tells the base station to stop serving
 * (limit reached or a user cancelled); the share stays OPEN until the final report or until its
 * holds lapse. Engine state: journaled with the command that changed it, in snapshots.
 *
 * @param requestKey       the base station and its request id: a retried open finds the first share
 * @param day              days since the epoch (UTC) when it was agreed, for the supplier's daily maximum
 * @param endedBy          who asked to stop ("supplier", "borrower", "limit"), or null
 * @param deadlineMillis   for an open share, when its holds lapse without another report (each report
 *                         renews them); for an ended one, when the engine forgets it
 */
public record DataShare(String id, String requestKey, String baseStationId, String supplierSim, String borrowerSim,
                        String supplierAccount, String borrowerAccount, long limitBytes, long priceMinorPerMb,
                        long createdMillis, long day, Status status, long usedBytes, long feePaid, boolean cutOff,
                        String endedBy, long deadlineMillis) {
    private static final BigInteger MB = BigInteger.valueOf(1_000_000);

    public enum Status {
        /** Being served (or cut off and waiting for the base station's final report). */
        OPEN,
        /** The base station's final report settled it (or it was used up and its holds lapsed). */
        SETTLED,
        /** No report came in time: settled from the last interim report, the rest released. */
        EXPIRED
    }

    public DataShare {
        if (limitBytes <= 0 || usedBytes < 0 || usedBytes > limitBytes || feePaid < 0 || priceMinorPerMb < 0) {
            throw new IllegalArgumentException("inconsistent share " + id + ": limit " + limitBytes + ", used "
                    + usedBytes + ", fee " + feePaid + ", price " + priceMinorPerMb);
        }
    }

    public boolean open() {
        return status == Status.OPEN;
    }

    /** Money for {@code bytes} at the share's price per MB (10^6 bytes), rounded up to the minor unit. */
    public long feeFor(long bytes) {
        return fee(bytes, priceMinorPerMb);
    }

    /** Money for {@code bytes} at {@code priceMinorPerMb}, rounded up; monotonic in bytes, so interim charges never go negative. */
    public static long fee(long bytes, long priceMinorPerMb) {
        if (priceMinorPerMb == 0 || bytes == 0) {
            return 0;
        }
        BigInteger[] qr = BigInteger.valueOf(bytes).multiply(BigInteger.valueOf(priceMinorPerMb)).divideAndRemainder(MB);
        return qr[0].longValueExact() + (qr[1].signum() > 0 ? 1 : 0);
    }

    DataShare settled(Status next, long used, long fee, long deadline) {
        return new DataShare(id, requestKey, baseStationId, supplierSim, borrowerSim, supplierAccount, borrowerAccount,
                limitBytes, priceMinorPerMb, createdMillis, day, next, used, fee, cutOff, endedBy, deadline);
    }

    DataShare cutOffBy(String who) {
        return new DataShare(id, requestKey, baseStationId, supplierSim, borrowerSim, supplierAccount, borrowerAccount,
                limitBytes, priceMinorPerMb, createdMillis, day, status, usedBytes, feePaid, true,
                endedBy == null ? who : endedBy, deadlineMillis);
    }
}
