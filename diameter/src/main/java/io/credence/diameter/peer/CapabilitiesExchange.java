package io.credence.diameter.peer;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.AvpFormatException;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The server side of CER/CEA (RFC 6733 section 5.3), as a pure decision: given a CER, the local
 * identity and the configured peers, what to answer and whether the connection may go on.
 *
 * <p>Real clients differ in how they announce credit control: a PGW sends Auth-Application-Id 4,
 * an IMS S-CSCF often only Vendor-Specific-Application-Id {Vendor-Id 10415, Auth-Application-Id
 * 4}. Both count, as does the relay application id.
 */
public final class CapabilitiesExchange {

    /** The decision: the CEA to send, and for an accepted peer who it is. */
    public sealed interface Decision {
        DiameterMessage answer();

        record Accepted(String peerHost, String peerRealm, DiameterMessage answer) implements Decision {}

        /** Send the answer, then close the connection (RFC 6733 5.3: a failed CER ends the transport). */
        record Refused(long resultCode, String reason, DiameterMessage answer) implements Decision {}
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
        for (long required : new long[] {Codes.ORIGIN_HOST, Codes.ORIGIN_REALM, Codes.HOST_IP_ADDRESS, Codes.VENDOR_ID, Codes.PRODUCT_NAME}) {
            if (cer.find(required, 0).isEmpty()) {
                Avp missing = Avps.octets(required, 0, true, new byte[0]);
                return refuse(cer, Codes.DIAMETER_MISSING_AVP, "CER lacks AVP " + required, missing);
            }
        }
        String peerHost;
        String peerRealm;
        try {
            peerHost = cer.find(Codes.ORIGIN_HOST, 0).orElseThrow().utf8();
            peerRealm = cer.find(Codes.ORIGIN_REALM, 0).orElseThrow().utf8();
            for (Avp address : cer.findAll(Codes.HOST_IP_ADDRESS, 0)) {
                address.address();
            }
        } catch (AvpFormatException bad) {
            return refuse(cer, Codes.DIAMETER_INVALID_AVP_VALUE, bad.getMessage(), bad.avp());
        }
        if (!allowedPeers.contains(peerHost)) {
            return refuse(cer, Codes.DIAMETER_UNKNOWN_PEER, "peer " + peerHost + " is not configured", null);
        }
        Optional<Long> common;
        try {
            common = commonApplication(cer);
        } catch (AvpFormatException bad) {
            return refuse(cer, Codes.DIAMETER_INVALID_AVP_VALUE, bad.getMessage(), bad.avp());
        }
        if (common.isEmpty()) {
            return refuse(cer, Codes.DIAMETER_NO_COMMON_APPLICATION, "peer " + peerHost + " does not offer credit control (4)",
                    null);
        }
        return new Decision.Accepted(peerHost, peerRealm, cea(cer, Codes.DIAMETER_SUCCESS, null, null));
    }

    private static Optional<Long> commonApplication(DiameterMessage cer) {
        for (Avp auth : cer.findAll(Codes.AUTH_APPLICATION_ID, 0)) {
            long id = auth.unsigned32();
            if (id == Codes.APP_CREDIT_CONTROL || id == Codes.APP_RELAY) {
                return Optional.of(id);
            }
        }
        for (Avp vendorSpecific : cer.findAll(Codes.VENDOR_SPECIFIC_APPLICATION_ID, 0)) {
            for (Avp member : vendorSpecific.grouped()) {
                if (member.code() == Codes.AUTH_APPLICATION_ID && member.vendorId() == 0
                        && member.unsigned32() == Codes.APP_CREDIT_CONTROL) {
                    return Optional.of(Codes.APP_CREDIT_CONTROL);
                }
            }
        }
        return Optional.empty();
    }

    private Decision refuse(DiameterMessage cer, long resultCode, String reason, Avp failed) {
        return new Decision.Refused(resultCode, reason, cea(cer, resultCode, reason, failed));
    }

    /** The CEA: result, our identity, and credit control as the application we support. */
    private DiameterMessage cea(DiameterMessage cer, long resultCode, String errorMessage, Avp failed) {
        List<Avp> avps = new ArrayList<>();
        avps.add(Avps.unsigned32(Codes.RESULT_CODE, 0, true, resultCode));
        avps.add(Avps.utf8(Codes.ORIGIN_HOST, 0, true, local.originHost()));
        avps.add(Avps.utf8(Codes.ORIGIN_REALM, 0, true, local.originRealm()));
        for (byte[] ip : local.hostIpAddresses()) {
            avps.add(Avps.address(Codes.HOST_IP_ADDRESS, 0, true, ip));
        }
        avps.add(Avps.unsigned32(Codes.VENDOR_ID, 0, true, local.vendorId()));
        avps.add(Avps.utf8(Codes.PRODUCT_NAME, 0, false, local.productName()));
        avps.add(Avps.unsigned32(Codes.AUTH_APPLICATION_ID, 0, true, Codes.APP_CREDIT_CONTROL));
        avps.add(Avps.unsigned32(Codes.FIRMWARE_REVISION, 0, false, local.firmwareRevision()));
        if (errorMessage != null) {
            avps.add(Avps.utf8(Codes.ERROR_MESSAGE, 0, false, errorMessage));
        }
        if (failed != null) {
            avps.add(Avps.grouped(Codes.FAILED_AVP, 0, true, List.of(failed)));
        }
        DiameterMessage answer = cer.answer(avps);
        boolean protocolError = resultCode >= 3000 && resultCode < 4000;
        return protocolError
                ? answer.withErrorBit()
                : answer;
    }
}
