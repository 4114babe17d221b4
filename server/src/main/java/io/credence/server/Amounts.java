package io.credence.server;

import io.credence.ledger.Unit;
import picocli.CommandLine;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.Currency;

/**
 * {@code --amount} as a person types it. The ledger counts money in minor units (cents), which is
 * what a whole number means, as before; "12.50" for MONEY means 12.50 in the server's currency
 * (asked from the account, since the server decides the currency), so nobody has to multiply by
 * a hundred in their head. Other units are whole numbers only.
 */
final class Amounts {
    private Amounts() {}

    /** The amount in the ledger's steps; null when the server could not be asked (already reported). */
    static Long parse(ClientCommands.ServerOption server, Unit unit, String text, String accountId) {
        CommandLine cmd = server.spec.commandLine();
        if (text.matches("-\\d+(\\.\\d+)?")) {
            throw new CommandLine.ParameterException(cmd, "--amount must be > 0, was " + text);
        }
        if (text.matches("\\d{1,19}")) {
            long whole;
            try {
                whole = Long.parseLong(text);
            } catch (NumberFormatException tooLarge) {
                throw new CommandLine.ParameterException(cmd, "--amount " + text + " is too large");
            }
            if (whole <= 0) {
                throw new CommandLine.ParameterException(cmd, "--amount must be > 0, was " + text);
            }
            return whole;
        }
        if (unit != Unit.MONEY || !text.matches("\\d{1,18}\\.\\d{1,18}")) {
            throw new CommandLine.ParameterException(cmd, unit == Unit.MONEY
                    ? "--amount must be an amount such as 12.50 or a whole number of minor units, was '" + text + "'"
                    : "--amount must be > 0, a whole number of " + stepName(unit) + ", was '" + text + "'");
        }
        Currency currency;
        try {
            ApiClient.Reply account = server.client().get("v1/accounts/" + ApiClient.segment(accountId));
            if (!account.ok()) {
                System.err.println("credence: cannot learn the currency of " + accountId + ": " + account.problemLine());
                return null;
            }
            currency = AccountReport.currency(account.body().path("currency").asText("XXX"));
        } catch (IOException unreachable) {
            System.err.println("credence: cannot reach the server at " + server.server + " to learn its currency");
            return null;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return null;
        }
        BigDecimal decimal = new BigDecimal(text);
        int digits = Math.max(0, currency.getDefaultFractionDigits());
        if (decimal.scale() > digits) {
            throw new CommandLine.ParameterException(cmd, "--amount " + text + " has more decimals than "
                    + currency.getCurrencyCode() + " has (" + digits + ")");
        }
        long minor;
        try {
            minor = decimal.movePointRight(digits).longValueExact();
        } catch (ArithmeticException tooLarge) {
            throw new CommandLine.ParameterException(cmd, "--amount " + text + " is too large");
        }
        if (minor <= 0) {
            throw new CommandLine.ParameterException(cmd, "--amount must be > 0, was " + text);
        }
        return minor;
    }

    private static String stepName(Unit unit) {
        return switch (unit) {
            case BYTES -> "bytes";
            case SECONDS -> "seconds";
            case SERVICE_UNITS -> "service units";
            case MONEY -> "minor units";
        };
    }
}
