package io.credence.diameter.cc;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.AvpFormatException;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.ledger.Unit;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Requested/Granted/Used-Service-Unit (RFC 4006 8.17-8.19) to ledger units and back: CC-Time is
 * SECONDS, CC-Total-Octets (or input + output when only those are given) BYTES,
 * CC-Service-Specific-Units SERVICE_UNITS and CC-Money MONEY in minor units of the configured
 * currency.
 */
final class ServiceUnits {
    /**
     * Powers of ten a non-zero CC-Money amount can be shifted by: 10^19 exceeds a long, so any
     * larger shift either overflows or leaves a fraction of the minor unit.
     */
    private static final int DECIMAL_SHIFT_MAX = 18;

    private ServiceUnits() {}

    /** The amounts a service-unit AVP carries, by unit; empty for an empty RSU. */
    static Map<Unit, Long> read(Avp serviceUnit, CreditControlConfig config) throws CcError {
        Map<Unit, Long> amounts = new EnumMap<>(Unit.class);
        long input = -1;
        long output = -1;
        try {
            for (Avp member : serviceUnit.grouped()) {
                if (member.vendorId() != 0) {
                    continue;
                }
                switch ((int) member.code()) {
                    case (int) Codes.CC_TIME -> amounts.put(Unit.SECONDS, member.unsigned32());
                    case (int) Codes.CC_TOTAL_OCTETS -> amounts.put(Unit.BYTES, nonNegative(member, member.unsigned64()));
                    case (int) Codes.CC_INPUT_OCTETS -> input = nonNegative(member, member.unsigned64());
                    case (int) Codes.CC_OUTPUT_OCTETS -> output = nonNegative(member, member.unsigned64());
                    case (int) Codes.CC_SERVICE_SPECIFIC_UNITS ->
                            amounts.put(Unit.SERVICE_UNITS, nonNegative(member, member.unsigned64()));
                    case (int) Codes.CC_MONEY -> amounts.put(Unit.MONEY, money(member, config));
                    default -> { /* Tariff-Change-Usage, G-S-U-Pool-Reference...: not used for amounts */ }
                }
            }
        } catch (AvpFormatException bad) {
            throw new CcError(Codes.DIAMETER_INVALID_AVP_VALUE, bad.avp(), bad.getMessage());
        }
        if (!amounts.containsKey(Unit.BYTES) && (input >= 0 || output >= 0)) {
            amounts.put(Unit.BYTES, Math.max(input, 0) + Math.max(output, 0));
        }
        return amounts;
    }

    private static long nonNegative(Avp avp, long value) throws CcError {
        if (value < 0) {
            throw new CcError(Codes.DIAMETER_INVALID_AVP_VALUE, avp, "AVP " + avp.code() + " exceeds 2^63-1");
        }
        return value;
    }

    /** CC-Money {Unit-Value {Value-Digits, [Exponent]}, [Currency-Code]} to minor units. */
    private static long money(Avp ccMoney, CreditControlConfig config) throws CcError {
        long digits = 0;
        int exponent = 0;
        boolean haveDigits = false;
        for (Avp m : ccMoney.grouped()) {
            if (m.code() == Codes.UNIT_VALUE && m.vendorId() == 0) {
                for (Avp v : m.grouped()) {
                    if (v.code() == Codes.VALUE_DIGITS) {
                        digits = v.integer64();
                        haveDigits = true;
                    } else if (v.code() == Codes.EXPONENT) {
                        exponent = v.integer32();
                    }
                }
            } else if (m.code() == Codes.CURRENCY_CODE && m.vendorId() == 0 && m.unsigned32() != config.currencyNumeric()) {
                throw new CcError(Codes.DIAMETER_INVALID_AVP_VALUE, m, "Currency-Code " + m.unsigned32()
                        + " is not the account currency " + config.currencyNumeric());
            }
        }
        if (!haveDigits || digits < 0) {
            throw new CcError(Codes.DIAMETER_INVALID_AVP_VALUE, ccMoney, "CC-Money needs a non-negative Value-Digits");
        }
        if (digits == 0) {
            return 0;
        }
        // bounded first, and in long: an Exponent near 2^31 made the loop below run 2^31 times, or
        // wrapped the int sum around so that it did not run at all
        long shift = (long) exponent + config.currencyMinorDigits();
        if (Math.abs(shift) > DECIMAL_SHIFT_MAX) {
            throw new CcError(Codes.DIAMETER_INVALID_AVP_VALUE, ccMoney, "CC-Money Exponent " + exponent
                    + (shift > 0 ? " overflows" : " is finer than the currency's minor unit"));
        }
        long value = digits;
        for (int i = 0; i < Math.abs(shift); i++) {
            if (shift > 0) {
                if (value > Long.MAX_VALUE / 10) {
                    throw new CcError(Codes.DIAMETER_INVALID_AVP_VALUE, ccMoney, "CC-Money overflows");
                }
                value *= 10;
            } else {
                if (value % 10 != 0) {
                    throw new CcError(Codes.DIAMETER_INVALID_AVP_VALUE, ccMoney,
                            "CC-Money is finer than the currency's minor unit");
                }
                value /= 10;
            }
        }
        return value;
    }

    /** A Granted- or Used-Service-Unit carrying one amount. */
    static Avp write(long code, Unit unit, long amount, CreditControlConfig config) {
        List<Avp> members = new ArrayList<>(1);
        switch (unit) {
            case SECONDS -> members.add(Avps.unsigned32(Codes.CC_TIME, 0, true, Math.min(amount, 0xFFFF_FFFFL)));
            case BYTES -> members.add(Avps.long64(Codes.CC_TOTAL_OCTETS, 0, true, amount));
            case SERVICE_UNITS -> members.add(Avps.long64(Codes.CC_SERVICE_SPECIFIC_UNITS, 0, true, amount));
            case MONEY -> members.add(money(amount, config));
        }
        return Avps.grouped(code, 0, true, members);
    }

    static Avp money(long minorUnits, CreditControlConfig config) {
        return Avps.grouped(Codes.CC_MONEY, 0, true, List.of(
                Avps.grouped(Codes.UNIT_VALUE, 0, true, List.of(
                        Avps.long64(Codes.VALUE_DIGITS, 0, true, minorUnits),
                        Avps.integer32(Codes.EXPONENT, 0, true, -config.currencyMinorDigits()))),
                Avps.unsigned32(Codes.CURRENCY_CODE, 0, true, config.currencyNumeric())));
    }
}
