package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Locale;

/**
 * An account as a person reads it ({@code credence account show}): per unit the total and what
 * makes it up (main balance and buckets), what is available now and to which services, then each
 * bucket with what it pays for and how long. Money is written in the currency (20.00 EUR), not
 * in minor units; {@code --json} prints the API's document instead.
 */
final class AccountReport {
    private AccountReport() {}

    static String render(JsonNode account) {
        Currency currency = currency(account.path("currency").asText("EUR"));
        StringBuilder out = new StringBuilder();
        out.append(account.path("accountId").asText()).append("  ").append(account.path("kind").asText())
                .append("  ").append(account.path("status").asText()).append("  (as of ")
                .append(account.path("asOf").asText()).append(")\n");
        if (account.path("balances").isEmpty()) {
            out.append("no balance yet\n");
        }
        for (JsonNode balance : account.path("balances")) {
            String unit = balance.path("unit").asText();
            int buckets = balance.path("buckets").asInt();
            String total = amount(balance.path("total").asLong(), unit, currency);
            out.append(String.format(Locale.ROOT, "%-13s %s%n", unit, buckets == 0 ? total + " (main balance)"
                    : total + " = main " + amount(balance.path("main").asLong(), unit, currency) + " + " + buckets
                    + " bucket" + (buckets == 1 ? "" : "s") + " " + amount(balance.path("inBuckets").asLong(), unit,
                    currency)));
            long available = balance.path("available").asLong();
            long anyService = balance.path("availableToAnyService").asLong();
            out.append(String.format(Locale.ROOT, "%-13s available now %s%s%s%s%n", "", amount(available, unit, currency),
                    balance.path("reserved").asLong() == 0 ? ""
                            : ", reserved " + amount(balance.path("reserved").asLong(), unit, currency),
                    balance.path("creditLimit").asLong() == 0 ? ""
                            : ", credit limit " + amount(balance.path("creditLimit").asLong(), unit, currency),
                    anyService == available ? "" : "; of it " + amount(anyService, unit, currency)
                            + " for any service, the rest only for what its buckets name"));
        }
        for (JsonNode bucket : account.path("buckets")) {
            if (bucket.path("main").asBoolean()) {
                continue;
            }
            String unit = bucket.path("unit").asText();
            out.append(String.format(Locale.ROOT, "  bucket %-5d %s, available %s, priority %d, %s, %s%n",
                    bucket.path("bucketId").asLong(), amount(bucket.path("amount").asLong(), unit, currency),
                    amount(bucket.path("available").asLong(), unit, currency), bucket.path("priority").asInt(),
                    services(bucket), validity(bucket)));
        }
        List<String> identities = new ArrayList<>();
        for (JsonNode identity : account.path("identities")) {
            identities.add(identity.path("type").asText() + " " + identity.path("value").asText());
        }
        out.append("identities: ").append(identities.isEmpty() ? "none" : String.join(", ", identities)).append('\n');
        return out.toString();
    }

    /** An amount in its unit: money in the currency, the rest with their unit's name. */
    static String amount(long value, String unit, Currency currency) {
        return switch (unit) {
            case "MONEY" -> money(value, currency);
            case "BYTES" -> String.format(Locale.ROOT, "%,d bytes", value);
            case "SECONDS" -> String.format(Locale.ROOT, "%,d s", value);
            case "SERVICE_UNITS" -> String.format(Locale.ROOT, "%,d units", value);
            default -> String.format(Locale.ROOT, "%,d", value);
        };
    }

    static String money(long minorUnits, Currency currency) {
        int digits = Math.max(0, currency.getDefaultFractionDigits());
        return BigDecimal.valueOf(minorUnits, digits).toPlainString() + " " + currency.getCurrencyCode();
    }

    static Currency currency(String code) {
        try {
            return Currency.getInstance(code);
        } catch (IllegalArgumentException unknown) {
            return Currency.getInstance("XXX"); // "no currency": amounts then print as they are
        }
    }

    private static String services(JsonNode bucket) {
        List<String> parts = new ArrayList<>();
        if (!bucket.path("ratingGroups").isEmpty()) {
            parts.add("rating groups " + join(bucket.path("ratingGroups")));
        }
        if (!bucket.path("serviceIds").isEmpty()) {
            parts.add("service ids " + join(bucket.path("serviceIds")));
        }
        return parts.isEmpty() ? "any service" : "for " + String.join(" and ", parts) + " only";
    }

    private static String validity(JsonNode bucket) {
        String from = bucket.path("validFrom").isNull() || bucket.path("validFrom").isMissingNode() ? null
                : bucket.path("validFrom").asText();
        String until = bucket.path("validUntil").isNull() ? null : bucket.path("validUntil").asText();
        if (from == null && until == null) {
            return "valid forever";
        }
        return (from == null ? "valid now" : "valid from " + from) + (until == null ? ", no end" : " until " + until);
    }

    private static String join(JsonNode values) {
        List<String> out = new ArrayList<>();
        values.forEach(v -> out.add(v.asText()));
        return String.join(", ", out);
    }
}
