package io.credence.nchf.nrf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * What this CHF tells the NRF about itself: the NFProfile of TS 29.510 (nfType CHF), with the
 * {@code nchf-convergedcharging} service, where it listens and whose subscribers it charges.
 *
 * @param address    the IPv4 address or FQDN consumers reach the SBI at
 * @param scheme     {@code http} or {@code https}
 * @param supiRanges SUPIs charged here (chfInfo.supiRangeList); empty: not said
 * @param gpsiRanges GPSIs (MSISDNs) charged here (chfInfo.gpsiRangeList); empty: not said
 * @param plmnRanges PLMNs served (chfInfo.plmnRangeList); empty: not said
 * @param heartbeatSeconds the heartbeat interval proposed to the NRF (its answer decides)
 */
public record ChfProfile(UUID instanceId, String address, int port, String scheme, List<Range> supiRanges,
                         List<Range> gpsiRanges, List<Range> plmnRanges, int heartbeatSeconds) {
    /** The Nchf_ConvergedCharging API this server implements (TS 32.291 V17.9.0). */
    public static final String SERVICE_NAME = "nchf-convergedcharging";
    public static final String API_VERSION_IN_URI = "v3";
    public static final String API_FULL_VERSION = "3.1.6";
    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern FQDN = Pattern.compile(
            "(?=.{4,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}\\.?");

    public ChfProfile {
        Objects.requireNonNull(instanceId, "instanceId");
        if (!isIpv4(address) && !FQDN.matcher(address).matches()) {
            throw new IllegalArgumentException("the NF address must be an IPv4 address or an FQDN, was '" + address + "'");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be 1..65535, was " + port);
        }
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("scheme must be http or https, was " + scheme);
        }
        if (heartbeatSeconds < 1 || heartbeatSeconds > 3600) {
            throw new IllegalArgumentException("heartbeat must be 1..3600 s, was " + heartbeatSeconds);
        }
        supiRanges = List.copyOf(supiRanges);
        gpsiRanges = List.copyOf(gpsiRanges);
        plmnRanges = List.copyOf(plmnRanges);
    }

    public static boolean isIpv4(String address) {
        return address != null && IPV4.matcher(address).matches();
    }

    /**
     * A range of identities as TS 29.510 writes it: {@code START-END} (digits, inclusive, equal
     * length) or {@code pattern:REGEX} (a regular expression the whole identity matches).
     */
    public record Range(String start, String end, String pattern) {
        private static final int DIGITS_MAX = 20;

        /**
         * @param digitsMin fewest digits a bound may have (5 for a PLMN: MCC and a 2-digit MNC)
         * @param digitsMax most digits a bound may have
         * @throws IllegalArgumentException naming what is wrong
         */
        public static Range parse(String text, int digitsMin, int digitsMax) {
            if (text.startsWith("pattern:")) {
                String regex = text.substring("pattern:".length());
                try {
                    Pattern.compile(regex);
                } catch (java.util.regex.PatternSyntaxException bad) {
                    throw new IllegalArgumentException("'" + regex + "' is not a regular expression: " + bad.getDescription());
                }
                return new Range(null, null, regex);
            }
            int dash = text.indexOf('-');
            String start = dash < 0 ? text : text.substring(0, dash);
            String end = dash < 0 ? text : text.substring(dash + 1);
            String digits = "\\d{" + digitsMin + "," + Math.min(digitsMax, DIGITS_MAX) + "}";
            if (!start.matches(digits) || !end.matches(digits) || start.length() != end.length()
                    || start.compareTo(end) > 0) {
                throw new IllegalArgumentException("'" + text + "' is not START-END (" + digitsMin + " to " + digitsMax
                        + " digits, equal lengths, START <= END) or pattern:REGEX");
            }
            return new Range(start, end, null);
        }

        ObjectNode toJson(ObjectMapper json) {
            ObjectNode node = json.createObjectNode();
            if (pattern != null) {
                node.put("pattern", pattern);
            } else {
                node.put("start", start).put("end", end);
            }
            return node;
        }
    }

    /** The NFProfile to PUT at the NRF. */
    public ObjectNode toJson(ObjectMapper json) {
        ObjectNode profile = json.createObjectNode();
        profile.put("nfInstanceId", instanceId.toString());
        profile.put("nfType", "CHF");
        profile.put("nfStatus", "REGISTERED");
        profile.put("heartBeatTimer", heartbeatSeconds);
        if (isIpv4(address)) {
            profile.putArray("ipv4Addresses").add(address);
        } else {
            profile.put("fqdn", address);
        }
        ObjectNode chfInfo = json.createObjectNode();
        ranges(json, chfInfo, "supiRangeList", supiRanges);
        ranges(json, chfInfo, "gpsiRangeList", gpsiRanges);
        ranges(json, chfInfo, "plmnRangeList", plmnRanges);
        if (!chfInfo.isEmpty()) {
            profile.set("chfInfo", chfInfo);
        }
        ObjectNode service = service(json);
        profile.putObject("nfServiceList").set(service.get("serviceInstanceId").asText(), service);
        // deprecated since Rel-16 in favour of nfServiceList, but NRFs built on earlier models
        // (free5GC's among them) read only this one
        profile.putArray("nfServices").add(service.deepCopy());
        return profile;
    }

    private ObjectNode service(ObjectMapper json) {
        ObjectNode service = json.createObjectNode();
        service.put("serviceInstanceId", SERVICE_NAME);
        service.put("serviceName", SERVICE_NAME);
        service.putArray("versions").addObject().put("apiVersionInUri", API_VERSION_IN_URI)
                .put("apiFullVersion", API_FULL_VERSION);
        service.put("scheme", scheme);
        service.put("nfServiceStatus", "REGISTERED");
        if (isIpv4(address)) {
            service.putArray("ipEndPoints").addObject().put("ipv4Address", address).put("transport", "TCP")
                    .put("port", port);
        } else {
            service.put("fqdn", address);
            service.putArray("ipEndPoints").addObject().put("transport", "TCP").put("port", port);
        }
        return service;
    }

    private static void ranges(ObjectMapper json, ObjectNode chfInfo, String field, List<Range> ranges) {
        if (!ranges.isEmpty()) {
            ArrayNode list = chfInfo.putArray(field);
            ranges.forEach(r -> list.add(r.toJson(json)));
        }
    }
}
