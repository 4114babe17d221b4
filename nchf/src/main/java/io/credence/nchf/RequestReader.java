package io.credence.nchf;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.credence.nchf.ChargingDataRequest.Subscriber;
import io.credence.nchf.ChargingDataRequest.UnitUsage;
import io.credence.nchf.ChargingDataRequest.Units;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a ChargingDataRequest body field by field; every refusal names the field by its JSON path
 * ({@code multipleUnitUsage[2].requestedUnit.totalVolume}) in {@code invalidParams}.
 */
final class RequestReader {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    private static final long UINT32_MAX = 0xFFFF_FFFFL;
    private static final long UINT64_AS_LONG_MAX = Long.MAX_VALUE;

    /** A request refused before anything was charged. */
    static final class Invalid extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient NchfProblem problem;

        Invalid(NchfProblem problem) {
            super(problem.detail(), null, false, false);
            this.problem = problem;
        }
    }

    private RequestReader() {}

    static ObjectNode parse(byte[] body) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(body);
        } catch (JsonProcessingException malformed) {
            throw new Invalid(NchfProblem.of(400, "INVALID_MSG_FORMAT", "body is not valid JSON: "
                    + malformed.getOriginalMessage()));
        } catch (IOException unreadable) {
            throw new Invalid(NchfProblem.of(400, "INVALID_MSG_FORMAT", "body could not be read: " + unreadable));
        }
        if (!(tree instanceof ObjectNode object)) {
            throw new Invalid(NchfProblem.of(400, "INVALID_MSG_FORMAT", "body must be a ChargingDataRequest object"));
        }
        return object;
    }

    /** @param create whether this is the create request, where a subscriber identity is required */
    static ChargingDataRequest read(ObjectNode body, boolean create) {
        List<Subscriber> subscribers = subscribers(body, create);
        ObjectNode consumer = object(body.get("nfConsumerIdentification"), "nfConsumerIdentification", true);
        String node = text(required(consumer.get("nodeFunctionality"), "nfConsumerIdentification.nodeFunctionality"),
                "nfConsumerIdentification.nodeFunctionality");
        if (present(consumer.get("nFName"))) {
            text(consumer.get("nFName"), "nfConsumerIdentification.nFName");
        }
        String timeStamp = text(required(body.get("invocationTimeStamp"), "invocationTimeStamp"), "invocationTimeStamp");
        try {
            OffsetDateTime.parse(timeStamp);
        } catch (DateTimeParseException bad) {
            throw invalid("invocationTimeStamp", "must be an RFC 3339 date-time such as 2026-11-24T10:00:00Z");
        }
        // read and echoed, and a retransmission names it; not the request number: the engine numbers requests, since
        // consumers repeat it (free5GC sends 0 every time) or start where they like
        long sequence = integer(required(body.get("invocationSequenceNumber"), "invocationSequenceNumber"),
                "invocationSequenceNumber", UINT32_MAX);
        boolean retransmission = false;
        if (present(body.get("retransmissionIndicator"))) {
            if (!body.get("retransmissionIndicator").isBoolean()) {
                throw invalid("retransmissionIndicator", "must be true or false");
            }
            retransmission = body.get("retransmissionIndicator").booleanValue();
        }
        String context = serviceContext(body, node);
        return new ChargingDataRequest(subscribers, node, timeStamp, context, sequence, retransmission, unitUsages(body),
                notifyUri(body.get("notifyUri")));
    }

    /** An absolute http(s) URI that fits the session's origin, or null when none is given. */
    private static String notifyUri(JsonNode value) {
        if (!present(value)) {
            return null;
        }
        String text = text(value, "notifyUri");
        if (text.length() > io.credence.charging.ChargingRequest.TEXT_LENGTH_MAX) {
            throw invalid("notifyUri", "must be at most " + io.credence.charging.ChargingRequest.TEXT_LENGTH_MAX
                    + " characters");
        }
        try {
            java.net.URI uri = new java.net.URI(text);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return text;
            }
        } catch (java.net.URISyntaxException bad) {
            // refused below
        }
        throw invalid("notifyUri", "must be an absolute http:// or https:// URI, was '" + clip(text) + "'");
    }

    /**
     * subscriberIdentifier, then pDUSessionChargingInformation.userInformation.servedGPSI: the
     * credit-control server tries them in that order. A create names at least one, else there is
     * nobody to charge; both fields are named in the refusal, since either would do.
     */
    private static List<Subscriber> subscribers(ObjectNode body, boolean create) {
        List<Subscriber> out = new ArrayList<>(2);
        JsonNode supi = body.get(Identities.SUBSCRIBER_IDENTIFIER);
        if (present(supi)) {
            out.add(Identities.subscriberIdentifier(text(supi, Identities.SUBSCRIBER_IDENTIFIER)));
        }
        ObjectNode pdu = object(body.get("pDUSessionChargingInformation"), "pDUSessionChargingInformation", false);
        ObjectNode user = pdu == null ? null
                : object(pdu.get("userInformation"), "pDUSessionChargingInformation.userInformation", false);
        JsonNode gpsi = user == null ? null : user.get("servedGPSI");
        if (present(gpsi)) {
            Subscriber served = Identities.servedGpsi(text(gpsi, Identities.SERVED_GPSI));
            if (!out.contains(served)) {
                out.add(served);
            }
        }
        if (create && out.isEmpty()) {
            String reason = "is required at create unless the other identity is given";
            throw new Invalid(new NchfProblem(400, "CHARGING_FAILED", "a create must name the subscriber: "
                    + Identities.SUBSCRIBER_IDENTIFIER + " or " + Identities.SERVED_GPSI, List.of(
                    new NchfProblem.InvalidParam(Identities.SUBSCRIBER_IDENTIFIER, reason),
                    new NchfProblem.InvalidParam(Identities.SERVED_GPSI, reason))));
        }
        return out;
    }

    /**
     * The consumer may name its charging specification (serviceSpecificationInfo, e.g.
     * "32255@3gpp.org"); else it follows from the node: SMS function 32274, IMS node 32260, and
     * 5G data (32255) for an SMF and everything else.
     */
    private static String serviceContext(ObjectNode body, String nodeFunctionality) {
        JsonNode given = body.get("serviceSpecificationInfo");
        if (present(given)) {
            String text = text(given, "serviceSpecificationInfo");
            if (!text.matches("[A-Za-z0-9.\\-]{1,64}@[A-Za-z0-9.\\-]{1,64}")) {
                throw invalid("serviceSpecificationInfo", "must be a Service-Context-Id such as 32255@3gpp.org");
            }
            return text;
        }
        return switch (nodeFunctionality.toUpperCase(Locale.ROOT)) {
            case "SMSF", "SMS" -> io.credence.charging.EngineConfig.CONTEXT_SMS;
            case "IMS_NODE", "IMS-NODE", "IMS_AS", "IMS" -> io.credence.charging.EngineConfig.CONTEXT_IMS;
            default -> io.credence.charging.EngineConfig.CONTEXT_5G_DATA;
        };
    }

    private static List<UnitUsage> unitUsages(ObjectNode body) {
        JsonNode list = body.get("multipleUnitUsage");
        List<UnitUsage> out = new ArrayList<>();
        if (!present(list)) {
            return out;
        }
        if (!list.isArray()) {
            throw invalid("multipleUnitUsage", "must be an array");
        }
        if (list.size() > ChargingDataRequest.UNIT_USAGES_MAX) {
            throw invalid("multipleUnitUsage", "may hold at most " + ChargingDataRequest.UNIT_USAGES_MAX
                    + " entries, had " + list.size());
        }
        // quota is installed per (uPFID, ratingGroup): one rating group from two UPFs is two services
        Set<List<Object>> services = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "multipleUnitUsage[" + i + "]";
            ObjectNode usage = object(list.get(i), at, true);
            long ratingGroup = integer(required(usage.get("ratingGroup"), at + ".ratingGroup"), at + ".ratingGroup",
                    UINT32_MAX);
            String upfId = upfId(usage.get("uPFID"), at + ".uPFID");
            if (!services.add(Arrays.asList(upfId, ratingGroup))) {
                throw invalid(at + ".ratingGroup", "repeats rating group " + ratingGroup
                        + (upfId == null ? " (without uPFID)" : " of uPFID " + upfId));
            }
            ObjectNode requestedNode = object(usage.get("requestedUnit"), at + ".requestedUnit", false);
            Units requested = requestedNode == null ? null : units(requestedNode, at + ".requestedUnit");
            Units used = used(usage.get("usedUnitContainer"), at + ".usedUnitContainer");
            if (requested != null && endsTheQuota(usage.get("usedUnitContainer"))) {
                requested = null; // the consumer is done with this rating group: its report is charged, nothing granted
            }
            out.add(new UnitUsage(ratingGroup, upfId, requested, used));
        }
        return out;
    }

    /**
     * uPFID: an NF instance id (a UUID for free5GC). Only its length and characters are checked,
     * not the UUID form, since it is an opaque key the answer echoes; printable ASCII keeps it
     * safe in logs and in the Diameter UTF8String it travels in.
     */
    private static String upfId(JsonNode value, String param) {
        if (!present(value)) {
            return null;
        }
        String id = text(value, param);
        if (id.length() > ChargingDataRequest.UPF_ID_LENGTH_MAX) {
            throw invalid(param, "must be at most " + ChargingDataRequest.UPF_ID_LENGTH_MAX + " characters, was "
                    + id.length());
        }
        for (int i = 0; i < id.length(); i++) {
            if (id.charAt(i) < 0x21 || id.charAt(i) > 0x7E) {
                throw invalid(param, "may contain only printable ASCII without spaces (found "
                        + String.format("U+%04X", (int) id.charAt(i)) + " at " + i + ")");
            }
        }
        return id;
    }

    /**
     * Whether a container was closed by a trigger after which the consumer holds no quota for the
     * rating group: FINAL (the service ended) or QHT (idle for the quota holding time, TS 32.299
     * 5.2.2.x: the quota is returned). A requestedUnit beside such a report is not granted, as the
     * trigger says the quota is given back.
     */
    private static boolean endsTheQuota(JsonNode containers) {
        if (containers == null || !containers.isArray()) {
            return false;
        }
        for (JsonNode container : containers) {
            for (JsonNode trigger : container.path("triggers")) {
                String type = trigger.path("triggerType").asText("");
                if (type.equals("FINAL") || type.equals("QHT")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Units used(JsonNode containers, String at) {
        if (!present(containers)) {
            return null;
        }
        if (!containers.isArray()) {
            throw invalid(at, "must be an array");
        }
        if (containers.size() > ChargingDataRequest.USED_CONTAINERS_MAX) {
            throw invalid(at, "may hold at most " + ChargingDataRequest.USED_CONTAINERS_MAX + " entries");
        }
        Units sum = Units.EMPTY;
        for (int i = 0; i < containers.size(); i++) {
            String here = at + "[" + i + "]";
            ObjectNode container = object(containers.get(i), here, true);
            if (present(container.get("localSequenceNumber"))) {
                integer(container.get("localSequenceNumber"), here + ".localSequenceNumber", UINT32_MAX);
            }
            for (String textField : List.of("quotaManagementIndicator")) {
                if (present(container.get(textField))) {
                    text(container.get(textField), here + "." + textField);
                }
            }
            if (present(container.get("triggers")) && !container.get("triggers").isArray()) {
                throw invalid(here + ".triggers", "must be an array");
            }
            try {
                sum = sum.plus(units(container, here));
            } catch (ArithmeticException overflow) {
                throw invalid(here, "amounts add up past 2^63-1");
            }
        }
        return sum;
    }

    private static Units units(ObjectNode node, String at) {
        return new Units(optional(node, "time", at, UINT32_MAX), optional(node, "totalVolume", at, UINT64_AS_LONG_MAX),
                optional(node, "uplinkVolume", at, UINT64_AS_LONG_MAX),
                optional(node, "downlinkVolume", at, UINT64_AS_LONG_MAX),
                optional(node, "serviceSpecificUnits", at, UINT64_AS_LONG_MAX));
    }

    private static Long optional(ObjectNode node, String field, String at, long max) {
        JsonNode value = node.get(field);
        return present(value) ? integer(value, at + "." + field, max) : null;
    }

    private static long integer(JsonNode value, String param, long max) {
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0 || value.longValue() > max) {
            throw invalid(param, "must be an integer 0.." + max + ", was " + clip(value.toString()));
        }
        return value.longValue();
    }

    private static String text(JsonNode value, String param) {
        if (!value.isTextual() || value.textValue().isEmpty()) {
            throw invalid(param, "must be a non-empty string");
        }
        return value.textValue();
    }

    private static ObjectNode object(JsonNode value, String param, boolean required) {
        if (!present(value)) {
            if (required) {
                throw invalid(param, "is required");
            }
            return null;
        }
        if (!(value instanceof ObjectNode object)) {
            throw invalid(param, "must be a JSON object");
        }
        return object;
    }

    private static JsonNode required(JsonNode value, String param) {
        if (!present(value)) {
            throw invalid(param, "is required");
        }
        return value;
    }

    private static boolean present(JsonNode value) {
        return value != null && !value.isNull();
    }

    static String clip(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }

    static Invalid invalid(String param, String reason) {
        // TS 29.500 5.2.7.2: a malformed or missing attribute of the body
        return new Invalid(NchfProblem.invalid("CHARGING_FAILED", param, reason));
    }
}
