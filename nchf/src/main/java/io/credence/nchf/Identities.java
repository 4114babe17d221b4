package io.credence.nchf;

import io.credence.ledger.IdentityType;
import io.credence.nchf.ChargingDataRequest.Subscriber;

/**
 * TS 29.571 subscriber identities as the ledger binds them:
 *
 * <pre>
 *   SUPI  imsi-&lt;IMSI&gt;         IMSI      the digits
 *         nai-&lt;NAI&gt;           NAI       user@realm
 *         gci-&lt;GCI&gt;           PRIVATE   the whole text, prefix included
 *         gli-&lt;GLI&gt;           PRIVATE   the whole text, prefix included
 *   GPSI  msisdn-&lt;MSISDN&gt;     E164      the digits
 *         extid-&lt;id&gt;@&lt;domain&gt; NAI       id@domain (TS 23.003 19.7.2 has the NAI form)
 * </pre>
 *
 * A Global Cable or Line Identifier keeps its prefix as PRIVATE so it cannot equal an identity an
 * operator bound as PRIVATE for something else, nor one another.
 */
final class Identities {
    static final String SUBSCRIBER_IDENTIFIER = "subscriberIdentifier";
    static final String SERVED_GPSI = "pDUSessionChargingInformation.userInformation.servedGPSI";

    private static final String SUPI_OR_GPSI_FORMS = "imsi-<digits>, nai-<user@realm>, gci-<gci>, gli-<gli>, "
            + "msisdn-<digits> or extid-<id>@<domain>";
    private static final String GPSI_FORMS = "msisdn-<digits> or extid-<id>@<domain>";

    private Identities() {}

    /**
     * subscriberIdentifier. TS 32.291 types it Supi, yet consumers put a GPSI there too (an MSISDN
     * when they know no SUPI), so both are taken.
     */
    static Subscriber subscriberIdentifier(String text) {
        return parse(text, SUBSCRIBER_IDENTIFIER, true);
    }

    /** userInformation.servedGPSI: a GPSI only. */
    static Subscriber servedGpsi(String text) {
        return parse(text, SERVED_GPSI, false);
    }

    private static Subscriber parse(String text, String param, boolean supiToo) {
        int dash = text.indexOf('-');
        String prefix = dash < 0 ? "" : text.substring(0, dash);
        String rest = text.substring(dash + 1);
        String forms = supiToo ? SUPI_OR_GPSI_FORMS : GPSI_FORMS;
        Subscriber subscriber = switch (prefix) {
            case "msisdn" -> new Subscriber(IdentityType.E164, rest);
            case "extid" -> new Subscriber(IdentityType.NAI, externalId(rest, param));
            case "imsi" -> supiToo ? new Subscriber(IdentityType.IMSI, rest) : null;
            case "nai" -> supiToo ? new Subscriber(IdentityType.NAI, rest) : null;
            case "gci", "gli" -> supiToo ? new Subscriber(IdentityType.PRIVATE, text) : null;
            default -> null;
        };
        if (subscriber == null) {
            throw RequestReader.invalid(param, "must be " + forms + ", was '" + RequestReader.clip(text) + "'");
        }
        if (rest.isEmpty()) {
            throw RequestReader.invalid(param, "(" + prefix + ") has nothing after '" + prefix + "-'");
        }
        String problem = subscriber.type().valueProblem(subscriber.value());
        if (problem != null) {
            throw RequestReader.invalid(param, "(" + prefix + ") " + problem);
        }
        return subscriber;
    }

    /** An External Identifier is {@code <Local Identifier>@<Domain Identifier>}, both parts present. */
    private static String externalId(String value, String param) {
        int at = value.indexOf('@');
        if (at <= 0 || at == value.length() - 1 || value.indexOf('@', at + 1) >= 0) {
            throw RequestReader.invalid(param, "(extid) must be <id>@<domain>, was '" + RequestReader.clip(value) + "'");
        }
        return value;
    }
}
