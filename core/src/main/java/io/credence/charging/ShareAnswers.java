package io.credence.charging;

/** What the engine answers a data share's open, usage report and cancel. */
public final class ShareAnswers {
    private ShareAnswers() {}

    /** Why a share was refused; the base station relays it to the borrower. */
    public enum Refusal {
        BASE_STATION_IDENTITY, BORROWER_IDENTITY, SUPPLIER_IDENTITY, SAME_TERMINAL, BORROWER_USER, SUPPLIER_USER,
        BORROWER_NOT_ALLOWED, DAILY_LIMIT, SUPPLIER_SHORT, BORROWER_CANNOT_PAY, SHARES_FULL;

        /** As the API names it: {@code supplier-short}. */
        public String apiName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public sealed interface Open {}

    /** @param again the request was answered before: this is the share it opened */
    public record Opened(DataShare share, boolean again) implements Open {}

    public record Refused(Refusal reason, String detail) implements Open {}

    public sealed interface Meter {}

    /**
     * Settled so far; the share's {@code cutOff} tells the base station to stop serving now.
     *
     * @param overLimitBytes what the reported total has past the share's limit: served, but
     *                       neither charged to the supplier nor paid for (0 normally)
     */
    public record Metered(DataShare share, long overLimitBytes) implements Meter {}

    public record UnknownShare(String shareId) implements Meter, Cancel {}

    /** The share belongs to another base station. */
    public record NotYours(String shareId) implements Meter {}

    /** The share was settled or expired already; a late report changes nothing. */
    public record Ended(DataShare share) implements Meter {}

    public record BadTotal(String detail) implements Meter {}

    public sealed interface Cancel {}

    public record CutOff(DataShare share) implements Cancel {}

    /** The caller is neither the borrower nor the supplier. */
    public record NotAParty(String shareId) implements Cancel {}
}
