package io.credence.diameter.peer;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.AvpFormatException;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The server side of CER/CEA (RFC 6733 section 5.3), as a pure decision: given a CER, the local
 * identity and the configured peers, what to answer and whether the connection may go on.
 *
 * <p>Real clients differ in how they announce credit control: a PGW sends Auth-Application-Id 4,
 * an IMS S-CSCF (Kamailio's cdp) often only Vendor-Specific-Application-Id {Vendor-Id 10415,
 * Auth-Application-Id 4}, a relay agent the relay id. The CEA names the common application in the
 * form the peer offered it, once: a peer that routes by (application, vendor) finds no route
 * when the vendor is missing, and Kamailio's cdp refuses a CEA that lists one application in two
 * forms ("Too many applications for this peer"). Supported-Vendor-Id 10415 says we read 3GPP AVPs.
 *
 * <p>Leniency, for configured peers only: a CER without Host-IP-Address (Kamailio 5.6 sometimes
 * sends one) is accepted with a warning; the peer's identity is its Origin-Host, and its address
 * is the socket's. An unknown peer is refused whatever it sends.
 */
public final class CapabilitiesExchange {

    /** The decision: the CEA to send, and for an accepted peer who it is. */
    public sealed interface Decision {
        DiameterMessage answer();

        /** @param warnings what the peer got wrong but was let through for (to log) */
        record Accepted(String peerHost, String peerRealm, DiameterMessage answer, List<String> warnings)
                implements Decision {
            public Accepted {
                warnings = List.copyOf(warnings);
            }
        }

        /**
         * Send the answer, then close the connection (RFC 6733 5.3: a failed CER ends the transport).
         *
         * @param peerHost  the CER's Origin-Host as far as it could be read ("" when not)
         * @param failedAvp the AVP at fault, or null
         */
        record Refused(long resultCode, String reason, String peerHost, Avp failedAvp, DiameterMessage answer)
                implements Decision {}
    }

    private final LocalIdentity local;
    private final Set<String> allowedPeers;

    /** @param allowedPeers Origin-Host values that may connect; nobody else gets past CER */
    public CapabilitiesExchange(LocalIdentity local, Set<String> allowedPeers) {
        this.local = local;
        this.allowedPeers = Set.copyOf(allowedPeers);
    }

    public Decision answer(DiameterMessage cer) {
        if (!cer.isRequest() || cer.commandCode() != Codes.CAPABILITIES_EXCHANGE) {
            throw new IllegalArgumentException("not a CER: command " + cer.commandCode());
        }
        String peerHost;
        String peerRealm;
        try {
            peerHost = cer.find(Codes.ORIGIN_HOST, 0).map(Avp::utf8).orElse(null);
            if (peerHost == null) {
                return missing(cer, "", Codes.ORIGIN_HOST);
            }
            peerRealm = cer.find(Codes.ORIGIN_REALM, 0).map(Avp::utf8).orElse(null);
            for (Avp address : cer.findAll(Codes.HOST_IP_ADDRESS, 0)) {
                address.address();
            }
        } catch (AvpFormatException bad) {
            return refuse(cer, Codes.DIAMETER_INVALID_AVP_VALUE, bad.getMessage(), "", bad.avp());
        }
        if (!allowedPeers.contains(peerHost)) {
            return refuse(cer, Codes.DIAMETER_UNKNOWN_PEER, "peer " + peerHost + " is not configured", peerHost, null);
        }
        for (long required : new long[] {Codes.ORIGIN_REALM, Codes.VENDOR_ID, Codes.PRODUCT_NAME}) {
            if (cer.find(required, 0).isEmpty()) {
                return missing(cer, peerHost, required);
            }
        }
        List<String> warnings = new ArrayList<>();
        if (cer.find(Codes.HOST_IP_ADDRESS, 0).isEmpty()) {
            warnings.add("CER without Host-IP-Address (RFC 6733 requires one); accepted from a configured peer, "
                    + "identified by its Origin-Host");
        }
        Avp common;
        try {
            common = commonApplication(cer);
        } catch (AvpFormatException bad) {
            return refuse(cer, Codes.DIAMETER_INVALID_AVP_VALUE, bad.getMessage(), peerHost, bad.avp());
        }
        if (common == null) {
            return refuse(cer, Codes.DIAMETER_NO_COMMON_APPLICATION, "peer " + peerHost
                    + " does not offer credit control (4)", peerHost, null);
        }
        return new Decision.Accepted(peerHost, peerRealm, cea(cer, Codes.DIAMETER_SUCCESS, null, null, common),
                warnings);
    }

    /**
     * Credit control as the peer offered it, for the CEA: the first of its offers in the order it
     * sent them — Auth-Application-Id 4 (or the relay id, answered with 4), or a
     * Vendor-Specific-Application-Id holding Auth-Application-Id 4 (echoed with its Vendor-Id);
     * null when it offers neither.
     */
    private static Avp commonApplication(DiameterMessage cer) {
        for (Avp avp : cer.avps()) {
            if (avp.vendorId() != 0) {
                continue;
            }
            if (avp.code() == Codes.AUTH_APPLICATION_ID) {
                long id = avp.unsigned32();
                if (id == Codes.APP_CREDIT_CONTROL || id == Codes.APP_RELAY) {
                    return authApplicationId();
                }
            } else if (avp.code() == Codes.VENDOR_SPECIFIC_APPLICATION_ID) {
                Avp echoed = vendorSpecificCreditControl(avp);
                if (echoed != null) {
                    return echoed;
                }
            }
        }
        return null;
    }

    /** The credit-control application in a Vendor-Specific-Application-Id, rebuilt to echo; else null. */
    private static Avp vendorSpecificCreditControl(Avp vendorSpecific) {
        boolean creditControl = false;
        Long vendor = null;
        for (Avp member : vendorSpecific.grouped()) {
            if (member.vendorId() != 0) {
                continue;
            }
            if (member.code() == Codes.AUTH_APPLICATION_ID && member.unsigned32() == Codes.APP_CREDIT_CONTROL) {
                creditControl = true;
            } else if (member.code() == Codes.VENDOR_ID) {
                vendor = member.unsigned32();
            }
        }
        if (!creditControl) {
            return null;
        }
        List<Avp> members = new ArrayList<>();
        if (vendor != null) {
            members.add(Avps.unsigned32(Codes.VENDOR_ID, 0, true, vendor));
        }
        members.add(authApplicationId());
        return Avps.grouped(Codes.VENDOR_SPECIFIC_APPLICATION_ID, 0, true, members);
    }

    private static Avp authApplicationId() {
        return Avps.unsigned32(Codes.AUTH_APPLICATION_ID, 0, true, Codes.APP_CREDIT_CONTROL);
    }

    private Decision missing(DiameterMessage cer, String peerHost, long code) {
        Avp example = Avps.octets(code, 0, true, new byte[0]);
        return refuse(cer, Codes.DIAMETER_MISSING_AVP, "CER lacks AVP " + code, peerHost, example);
    }

    private Decision refuse(DiameterMessage cer, long resultCode, String reason, String peerHost, Avp failed) {
        return new Decision.Refused(resultCode, reason, peerHost, failed,
                cea(cer, resultCode, reason, failed, authApplicationId()));
    }

    /** The CEA: result, our identity, 3GPP as a vendor we read, and credit control in the peer's form. */
    private DiameterMessage cea(DiameterMessage cer, long resultCode, String errorMessage, Avp failed,
                                Avp application) {
        List<Avp> avps = new ArrayList<>();
        avps.add(Avps.unsigned32(Codes.RESULT_CODE, 0, true, resultCode));
        avps.add(Avps.utf8(Codes.ORIGIN_HOST, 0, true, local.originHost()));
        avps.add(Avps.utf8(Codes.ORIGIN_REALM, 0, true, local.originRealm()));
        for (byte[] ip : local.hostIpAddresses()) {
            avps.add(Avps.address(Codes.HOST_IP_ADDRESS, 0, true, ip));
        }
        avps.add(Avps.unsigned32(Codes.VENDOR_ID, 0, true, local.vendorId()));
        avps.add(Avps.utf8(Codes.PRODUCT_NAME, 0, false, local.productName()));
        avps.add(Avps.unsigned32(Codes.SUPPORTED_VENDOR_ID, 0, true, Codes.VENDOR_3GPP));
        avps.add(application);
        avps.add(Avps.unsigned32(Codes.FIRMWARE_REVISION, 0, false, local.firmwareRevision()));
        if (errorMessage != null) {
            avps.add(Avps.utf8(Codes.ERROR_MESSAGE, 0, false, errorMessage));
        }
        if (failed != null) {
            avps.add(Avps.grouped(Codes.FAILED_AVP, 0, true, List.of(failed)));
        }
        DiameterMessage answer = cer.answer(avps);
        return Codes.isProtocolError(resultCode)
                ? answer.withErrorBit()
                : answer;
    }
}
