package io.credence.diameter.cc;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.AvpFormatException;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.codec.Dictionary;
import io.credence.charging.ChargingRequest;
import io.credence.rating.NetworkType;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    static final long TGPP_SGSN_MCC_MNC = 18;
    static final long ROLE_OF_NODE = 829;
    static final int TERMINATING_ROLE = 1;
    static final long USER_EQUIPMENT_INFO = 458;
    static final long USER_EQUIPMENT_INFO_TYPE = 459;
    static final long USER_EQUIPMENT_INFO_VALUE = 460;
    static final int UE_INFO_IMEISV = 0;
    private static final long VENDOR_3GPP = Dictionary.VENDOR_3GPP;
    private static final Pattern CELL_ID = Pattern.compile("(?:utran-cell-id-3gpp|cgi-3gpp)=([0-9]{5,6})");
    private static final int DEPTH_MAX = 4;

    private TerminalAttributes() {}

    /** The served terminal's network, or null when the request does not say. */
    public static NetworkType network(DiameterMessage request) {
        List<Avp> panis = findAll(request, ACCESS_NETWORK_INFORMATION, VENDOR_3GPP);
        if (!panis.isEmpty()) {
            NetworkType fromPani = fromAccessNetworkInfo(new String(panis.get(0).data(), StandardCharsets.UTF_8));
            if (fromPani != null) {
                return fromPani;
            }
        }
        Avp rat = find(request, TGPP_RAT_TYPE);
        return rat == null || rat.data().length != 1 ? null : fromRatType(rat.data()[0] & 0xFF);
    }

    /**
     * What the request says about the call's two ends, as the engine's rating reads it: the
     * served terminal's network and IMEI(SV) (User-Equipment-Info), the network it visits
     * (3GPP-SGSN-MCC-MNC, or the MCC+MNC opening the cell id of its P-Access-Network-Info), the
     * other end's network (an IMS node passes on the answering side's P-Access-Network-Info as a
     * second Access-Network-Information), whether the request comes from the called party's node,
     * and the outgoing trunk group. A value longer than the engine takes is not one a node sends:
     * it is left unknown.
     */
    public static ChargingRequest.Attributes read(DiameterMessage request) {
        List<Avp> panis = findAll(request, ACCESS_NETWORK_INFORMATION, VENDOR_3GPP);
        NetworkType other = panis.size() < 2 ? null
                : fromAccessNetworkInfo(new String(panis.get(1).data(), StandardCharsets.UTF_8));
        return new ChargingRequest.Attributes(network(request), bounded(imei(request)), bounded(visitedNetwork(request)),
                other, terminating(request), bounded(outlet(request)));
    }

    private static String bounded(String text) {
        return text == null || text.length() > ChargingRequest.TEXT_LENGTH_MAX ? null : text;
    }

    /**
     * Whether the request comes from a node serving the called party (IMS-Information
     * Role-Of-Node TERMINATING_ROLE): the served terminal is then the called end, and the other
     * access network the caller's.
     */
    public static boolean terminating(DiameterMessage request) {
        Avp role = find(request, ROLE_OF_NODE);
        try {
            return role != null && role.integer32() == TERMINATING_ROLE;
        } catch (AvpFormatException bad) {
            return false;
        }
    }

    /** The IMEI(SV) of User-Equipment-Info (type IMEISV), as digits, or null. */
    static String imei(DiameterMessage request) {
        Avp info = findAll(request, USER_EQUIPMENT_INFO, 0).stream().findFirst().orElse(null);
        if (info == null) {
            return null;
        }
        try {
            Avp type = null;
            Avp value = null;
            for (Avp m : info.grouped()) {
                if (m.code() == USER_EQUIPMENT_INFO_TYPE && m.vendorId() == 0) {
                    type = m;
                } else if (m.code() == USER_EQUIPMENT_INFO_VALUE && m.vendorId() == 0) {
                    value = m;
                }
            }
            if (type == null || value == null || type.integer32() != UE_INFO_IMEISV) {
                return null;
            }
            return digits(value.data());
        } catch (AvpFormatException bad) {
            return null;
        }
    }

    /** IMEISV as ASCII digits (what most nodes send), else as TBCD (two digits per byte, low nibble first). */
    static String digits(byte[] data) {
        String ascii = new String(data, StandardCharsets.US_ASCII);
        if (!ascii.isEmpty() && ascii.chars().allMatch(Character::isDigit)) {
            return ascii;
        }
        StringBuilder out = new StringBuilder();
        for (byte b : data) {
            int low = b & 0x0F;
            int high = (b >> 4) & 0x0F;
            if (low > 9) {
                return null;
            }
            out.append((char) ('0' + low));
            if (high == 0x0F) {
                break;
            }
            if (high > 9) {
                return null;
            }
            out.append((char) ('0' + high));
        }
        return out.toString();
    }

    /**
     * The network the served terminal visits, as MCC+MNC digits: 3GPP-SGSN-MCC-MNC, else the
     * digits opening the cell id of its P-Access-Network-Info; null when neither says.
     */
    static String visitedNetwork(DiameterMessage request) {
        Avp sgsn = find(request, TGPP_SGSN_MCC_MNC);
        if (sgsn != null) {
            return new String(sgsn.data(), StandardCharsets.UTF_8).trim();
        }
        List<Avp> panis = findAll(request, ACCESS_NETWORK_INFORMATION, VENDOR_3GPP);
        if (!panis.isEmpty()) {
            Matcher cell = CELL_ID.matcher(new String(panis.get(0).data(), StandardCharsets.UTF_8));
            return cell.find() ? cell.group(1) : null;
        }
        return null;
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

    /** The first 3GPP AVP with this code, breadth first. */
    static Avp first(DiameterMessage request, long code) {
        return find(request, code);
    }

    private static Avp find(DiameterMessage request, long code) {
        List<Avp> all = findAll(request, code, VENDOR_3GPP);
        return all.isEmpty() ? null : all.get(0);
    }

    /** Every AVP with this code and vendor, breadth first (so top-level ones come first), to a bounded depth. */
    private static List<Avp> findAll(DiameterMessage request, long code, long vendorId) {
        List<Avp> found = new ArrayList<>();
        Deque<Avp> queue = new ArrayDeque<>(request.avps());
        Deque<Integer> depth = new ArrayDeque<>();
        request.avps().forEach(a -> depth.add(0));
        while (!queue.isEmpty()) {
            Avp avp = queue.poll();
            int d = depth.poll();
            if (avp.code() == code && avp.vendorId() == vendorId) {
                found.add(avp);
                continue;
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
        return found;
    }
}
