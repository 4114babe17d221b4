package io.credence.diameter.cc;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.AvpFormatException;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.codec.Dictionary;
import io.credence.rating.NetworkType;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * Where a Ro request says how the served terminal is attached (TS 32.299, TS 29.061, RFC 7315):
 * Access-Network-Information (a P-Access-Network-Info value such as {@code 3GPP-E-UTRAN-FDD;
 * utran-cell-id-3gpp=...} or {@code IEEE-802.11}) when present, else 3GPP-RAT-Type. Both may sit
 * at the top level or inside Service-Information / IMS-Information / PS-Information, so the
 * request is searched breadth first, to a bounded depth.
 */
public final class TerminalAttributes {
    static final long TGPP_RAT_TYPE = 21;
    static final long ACCESS_NETWORK_INFORMATION = 1263;
    static final long OUTGOING_TRUNK_GROUP_ID = 853;
    private static final int DEPTH_MAX = 4;

    private TerminalAttributes() {}

    /** The served terminal's network, or null when the request does not say. */
    public static NetworkType network(DiameterMessage request) {
        Avp info = find(request, ACCESS_NETWORK_INFORMATION);
        if (info != null) {
            NetworkType fromPani = fromAccessNetworkInfo(new String(info.data(), StandardCharsets.UTF_8));
            if (fromPani != null) {
                return fromPani;
            }
        }
        Avp rat = find(request, TGPP_RAT_TYPE);
        return rat == null || rat.data().length != 1 ? null : fromRatType(rat.data()[0] & 0xFF);
    }

    /** The outgoing trunk group the call leaves by (the called outlet), or null. */
    public static String outlet(DiameterMessage request) {
        Avp trunk = find(request, OUTGOING_TRUNK_GROUP_ID);
        try {
            return trunk == null ? null : trunk.utf8();
        } catch (AvpFormatException bad) {
            return null;
        }
    }

    /** RFC 7315 access types, by the token before the first ';'. */
    static NetworkType fromAccessNetworkInfo(String pani) {
        String type = pani.split(";", 2)[0].trim().toUpperCase(Locale.ROOT);
        if (type.startsWith("3GPP-E-UTRAN")) {
            return NetworkType.LTE;
        }
        if (type.startsWith("3GPP-NR")) {
            return NetworkType.NR;
        }
        if (type.startsWith("3GPP-UTRAN") || type.startsWith("3GPP-GERAN") || type.startsWith("3GPP2")) {
            return NetworkType.CS;
        }
        if (type.startsWith("IEEE-802.11") || type.equals("I-WLAN")) {
            return NetworkType.WIFI;
        }
        if (type.contains("DSL") || type.startsWith("GSTN") || type.contains("PON") || type.startsWith("FTTH")
                || type.startsWith("DOCSIS") || type.startsWith("ETHERNET") || type.startsWith("IEEE-802.3")) {
            return NetworkType.FIXED;
        }
        return null;
    }

    /** TS 29.061 3GPP-RAT-Type values. */
    static NetworkType fromRatType(int rat) {
        return switch (rat) {
            case 1, 2, 5 -> NetworkType.CS;     // UTRAN, GERAN, HSPA evolution
            case 3, 4 -> NetworkType.WIFI;      // WLAN, GAN
            case 6, 8, 9 -> NetworkType.LTE;    // EUTRAN, NB-IoT, LTE-M
            case 10 -> NetworkType.NR;
            default -> null;
        };
    }

    private static Avp find(DiameterMessage request, long code) {
        Deque<Avp> queue = new ArrayDeque<>(request.avps());
        Deque<Integer> depth = new ArrayDeque<>();
        request.avps().forEach(a -> depth.add(0));
        while (!queue.isEmpty()) {
            Avp avp = queue.poll();
            int d = depth.poll();
            if (avp.code() == code && avp.vendorId() == Dictionary.VENDOR_3GPP) {
                return avp;
            }
            boolean grouped = Dictionary.find(avp.code(), avp.vendorId())
                    .map(def -> def.type() == io.credence.diameter.codec.AvpType.GROUPED).orElse(false);
            if (grouped && d < DEPTH_MAX && avp.code() != Codes.FAILED_AVP) {
                try {
                    for (Avp member : avp.grouped()) {
                        queue.add(member);
                        depth.add(d + 1);
                    }
                } catch (AvpFormatException bad) {
                    // a malformed group was refused by the request check already; nothing to find in it
                }
            }
        }
        return null;
    }
}
