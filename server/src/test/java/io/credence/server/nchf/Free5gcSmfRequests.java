package io.credence.server.nchf;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * ChargingDataRequest bodies shaped as the free5GC SMF sends them (free5gc/smf
 * internal/sbi/consumer/chf_service.go buildConvergedChargingRequest and
 * internal/sbi/processor/charging_trigger.go, models of free5gc/openapi; see the notes in the
 * task's free5gc-nchf.md). What matters for charging, as Go's encoding/json writes it:
 *
 * <ul>
 *   <li>invocationSequenceNumber and localSequenceNumber are always 0 (never set, no omitempty);
 *       retransmissionIndicator is never sent;</li>
 *   <li>the create has no multipleUnitUsage;</li>
 *   <li>usage reports are grouped per rating group only: reports of one rating group from two UPFs
 *       become one entry with the first report's uPFID and one usedUnitContainer per report;</li>
 *   <li>an online rating group asks requestedUnit {totalVolume, uplinkVolume, downlinkVolume} all
 *       equal to the configured requestedUnit (1000 by default), also in the release;</li>
 *   <li>volumes of 0 are left out (int32 with omitempty); time stamps are RFC 3339 with nanoseconds
 *       and the SMF's offset;</li>
 *   <li>nFName is the configured smfName ("SMF"), not a UUID as the schema's NfInstanceId wants.</li>
 * </ul>
 *
 * Members are written in the Go structs' field order, compact, as encoding/json does.
 */
public final class Free5gcSmfRequests {
    /** free5GC's deviation from the schema, tolerated when its requests are checked: nFName is "SMF". */
    static final String NF_NAME_IS_NOT_A_UUID = "$.nfConsumerIdentification.nFName";
    /** smContext.RequestedUnit when the SMF configuration leaves requestedUnit out. */
    static final long REQUESTED_UNIT = 1000;

    private static final DateTimeFormatter GO_RFC3339_NANO = DateTimeFormatter.ofPattern(
            "uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX");

    /** One PFCP usage report as HandleReports keeps it (UrrReports): which UPF, which trigger, what was used. */
    public record Report(long ratingGroup, String upfId, String trigger, long uplink, long downlink, boolean online) {
        long total() {
            return uplink + downlink;
        }
    }

    private final String supi;
    private final String gpsi;
    private final long chargingId;
    /** Triggers of the containers of the request being built: buildConvergedChargingRequest repeats them at the top. */
    private final List<String> triggers = new ArrayList<>();
    private OffsetDateTime now = OffsetDateTime.of(2026, 5, 20, 8, 53, 20, 123_456_789, ZoneOffset.ofHours(8));

    /**
     * @param supi       smContext.Supi ("imsi-...")
     * @param gpsi       smContext.Gpsi ("msisdn-..."), from the AMF; null when the UE has none
     * @param chargingId smContext.ChargingID
     */
    public Free5gcSmfRequests(String supi, String gpsi, long chargingId) {
        this.supi = supi;
        this.gpsi = gpsi;
        this.chargingId = chargingId;
    }

    /** CreateChargingSession: the skeleton alone, no multipleUnitUsage. */
    public String create() {
        return request(List.of());
    }

    /** ReportUsageAndUpdateQuota (PFCP session report, location change, ChargingNotify): grouped per rating group. */
    public String usageReport(Report... reports) {
        return request(groupedByRatingGroup(List.of(reports)));
    }

    /** ReleaseChargingSession: the deletion responses' reports, grouped the same way (FINAL triggers). */
    public String release(Report... reports) {
        return usageReport(reports);
    }

    /**
     * UpdateChargingSession after EstablishPSA2: one entry per URR of the new anchor, trigger
     * ADDITION_OF_UPF, no requestedUnit and no volumes.
     */
    String additionOfUpf(String upfId, long... ratingGroups) {
        List<String> usages = new ArrayList<>();
        for (long rg : ratingGroups) {
            usages.add("{\"ratingGroup\":" + rg + ",\"usedUnitContainer\":[" + container("ONLINE_CHARGING",
                    "ADDITION_OF_UPF", "IMMEDIATE_REPORT", 0, 0, 0) + "],\"uPFID\":\"" + upfId + "\"}");
        }
        return request(usages);
    }

    /** Several rating groups from several UPFs in one request, each (uPFID, ratingGroup) its own entry. */
    String perUpfReport(Report... reports) {
        List<String> usages = new ArrayList<>();
        for (Report r : reports) {
            usages.add(usage(r.ratingGroup(), r.upfId(), r.online(), List.of(r)));
        }
        return request(usages);
    }

    private List<String> groupedByRatingGroup(List<Report> reports) {
        Map<Long, List<Report>> byRatingGroup = new LinkedHashMap<>();
        for (Report r : reports) {
            byRatingGroup.computeIfAbsent(r.ratingGroup(), rg -> new ArrayList<>()).add(r);
        }
        List<String> usages = new ArrayList<>();
        byRatingGroup.forEach((rg, group) -> usages.add(usage(rg, group.get(0).upfId(), group.get(0).online(), group)));
        return usages;
    }

    private String usage(long ratingGroup, String upfId, boolean online, List<Report> reports) {
        String requested = online ? "{\"totalVolume\":%d,\"uplinkVolume\":%d,\"downlinkVolume\":%d}".formatted(
                REQUESTED_UNIT, REQUESTED_UNIT, REQUESTED_UNIT) : "{}";
        StringJoiner containers = new StringJoiner(",");
        for (Report r : reports) {
            boolean deferred = r.trigger().equals("VOLUME_LIMIT"); // flow-level VOLUME_LIMIT only
            containers.add(container(online ? "ONLINE_CHARGING" : "OFFLINE_CHARGING", r.trigger(),
                    deferred ? "DEFERRED_REPORT" : "IMMEDIATE_REPORT", r.total(), r.uplink(), r.downlink()));
        }
        return "{\"ratingGroup\":" + ratingGroup + ",\"requestedUnit\":" + requested + ",\"usedUnitContainer\":["
                + containers + "],\"uPFID\":\"" + upfId + "\"}";
    }

    private String container(String method, String triggerType, String category, long total, long uplink,
                             long downlink) {
        String trigger = "{\"triggerType\":\"" + triggerType + "\",\"triggerCategory\":\"" + category + "\"}";
        triggers.add(trigger);
        StringBuilder c = new StringBuilder("{\"quotaManagementIndicator\":\"" + method + "\",\"triggers\":["
                + trigger + "],\"triggerTimestamp\":\"" + tick() + "\"");
        // int32 with omitempty: a zero volume is not written at all
        if (total != 0) {
            c.append(",\"totalVolume\":").append(total);
        }
        if (uplink != 0) {
            c.append(",\"uplinkVolume\":").append(uplink);
        }
        if (downlink != 0) {
            c.append(",\"downlinkVolume\":").append(downlink);
        }
        return c.append(",\"localSequenceNumber\":0}").toString();
    }

    private String request(List<String> usages) {
        StringBuilder b = new StringBuilder("{\"subscriberIdentifier\":\"" + supi + "\",\"chargingId\":" + chargingId
                + ",\"nfConsumerIdentification\":{\"nFName\":\"SMF\",\"nFIPv4Address\":\"127.0.0.2\","
                + "\"nodeFunctionality\":\"SMF\"},\"invocationTimeStamp\":\"" + tick() + "\","
                + "\"invocationSequenceNumber\":0,"
                + "\"notifyUri\":\"http://127.0.0.2:8000/nsmf-callback/notify_urn:uuid:1f6b7a3c-7a59-4c7e-9e3e-2d8f0c4b5a61\"");
        if (!usages.isEmpty()) {
            b.append(",\"multipleUnitUsage\":[").append(String.join(",", usages)).append(']');
        }
        if (!triggers.isEmpty()) {
            b.append(",\"triggers\":[").append(String.join(",", triggers)).append(']');
            triggers.clear();
        }
        b.append(",\"pDUSessionChargingInformation\":{\"chargingId\":").append(chargingId)
                .append(",\"userInformation\":{");
        if (gpsi != null) {
            b.append("\"servedGPSI\":\"").append(gpsi).append("\",");
        }
        b.append("\"servedPEI\":\"imeisv-1110000000000000\"},\"pduSessionInformation\":{\"networkSlicingInfo\":"
                + "{\"sNSSAI\":{\"sst\":1,\"sd\":\"010203\"}},\"pduSessionID\":1,\"pduType\":\"IPV4\","
                + "\"servingNetworkFunctionID\":{\"servingNetworkFunctionInformation\":{\"nodeFunctionality\":\"AMF\"}},"
                + "\"dnnId\":\"internet\"}}}");
        return b.toString();
    }

    /** time.Now() of the SMF: a later instant at every call, written as Go's RFC3339Nano does. */
    private String tick() {
        now = now.plusNanos(1_000_003);
        String text = GO_RFC3339_NANO.format(now);
        // RFC3339Nano drops trailing zeros of the fraction
        int dot = text.indexOf('.');
        int offset = text.indexOf('+', dot);
        String fraction = text.substring(dot + 1, offset).replaceAll("0+$", "");
        return text.substring(0, dot) + (fraction.isEmpty() ? "" : "." + fraction) + text.substring(offset);
    }
}
