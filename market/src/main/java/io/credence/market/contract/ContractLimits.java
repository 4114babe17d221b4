package io.credence.market.contract;

/**
 * Every bound of the marketplace entries, in one place. Records refuse values outside them at
 * construction, and the decoder refuses them before allocating anything, so no length or amount
 * read from another party is trusted.
 *
 * <p>The money bounds are chosen so that no fee computation can overflow a {@code long}: the
 * largest per-MB fee is {@code ceil(amountMax / 10^6) * pricePerUnitMinorMax = 10^18}, checked
 * below when the class loads rather than hoped for at every multiplication.
 */
public final class ContractLimits {
    /** Longest identifier (account, terminal, offer, contract, validator id), in UTF-8 bytes. */
    public static final int ID_BYTES_MAX = 128;
    /** Longest free-text reason (a validator's refusal), in UTF-8 bytes. */
    public static final int REASON_BYTES_MAX = 2048;
    public static final int SERVICE_LEVEL_MIN = 1;
    public static final int SERVICE_LEVEL_MAX = 5;
    /** Highest price per charging unit, in money minor units (10 million currency units). */
    public static final long PRICE_PER_UNIT_MINOR_MAX = 1_000_000_000L;
    /** Largest amount of a resource: 10^15 bytes (1 PB) or 10^15 kbit/s. */
    public static final long AMOUNT_MAX = 1_000_000_000_000_000L;
    /** Longest offer, request or contract period: a leap year. */
    public static final long PERIOD_MILLIS_MAX = 366L * 24 * 3600 * 1000;
    /** Largest fee any contract can carry; see the class comment. */
    public static final long FEE_MINOR_MAX = 1_000_000_000_000_000_000L;
    /** Most signatures on one entry: the parties plus a few co-signers. */
    public static final int SIGNATURES_MAX = 16;
    /** Longest canonical encoding of one entry. */
    public static final int ENTRY_BYTES_MAX = 8192;
    /** Longest canonical encoding of a signed entry (entry plus every signature, full size). */
    public static final int SIGNED_BYTES_MAX = 2 + 2 + ENTRY_BYTES_MAX + 1
            + SIGNATURES_MAX * (2 + ID_BYTES_MAX + Ed25519.PUBLIC_KEY_BYTES + Ed25519.SIGNATURE_BYTES);
    /** Most validators a quorum may be configured with. */
    public static final int VALIDATORS_MAX = 64;
    /** Most validations one quorum evaluation looks at; each may cost a signature check. */
    public static final int VALIDATIONS_MAX = 256;
    /** Most offers one ranking call scores. */
    public static final int RANKED_OFFERS_MAX = 100_000;

    static {
        // The fee formulas in Fees multiply without overflow checks only because of these.
        long perMbFeeMax = Math.multiplyExact((AMOUNT_MAX + 999_999) / 1_000_000, PRICE_PER_UNIT_MINOR_MAX);
        long perMinuteFeeMax = Math.multiplyExact((PERIOD_MILLIS_MAX + 59_999) / 60_000, PRICE_PER_UNIT_MINOR_MAX);
        check(perMbFeeMax <= FEE_MINOR_MAX, "per-MB fee bound within FEE_MINOR_MAX");
        check(perMinuteFeeMax <= FEE_MINOR_MAX, "per-minute fee bound within FEE_MINOR_MAX");
        check(PRICE_PER_UNIT_MINOR_MAX <= FEE_MINOR_MAX, "flat fee bound within FEE_MINOR_MAX");
        // The signed envelope prefixes the entry with a u16 length.
        check(ENTRY_BYTES_MAX <= 0xFFFF, "entry length fits the u16 prefix");
        check(SIGNATURES_MAX <= 0xFF, "signature count fits its u8");
        check(ID_BYTES_MAX <= 0xFFFF && REASON_BYTES_MAX <= 0xFFFF, "text lengths fit the u16 prefix");
        check(VALIDATIONS_MAX >= VALIDATORS_MAX, "every configured validator can be heard");
    }

    private ContractLimits() {}

    static void check(boolean condition, String invariant) {
        if (!condition) {
            throw new IllegalStateException("contract limits broken: " + invariant);
        }
    }
}
