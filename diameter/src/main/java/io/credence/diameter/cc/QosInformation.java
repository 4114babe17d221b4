package io.credence.diameter.cc;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.AvpFormatException;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.codec.Dictionary;

/**
 * The QoS a request asks for (TS 29.212 QoS-Information, as a PGW puts it in a Gy MSCC or an IMS
 * node in Ro): the QoS class (QCI 1..9, which is the latency class layered admission checks) and
 * the larger of the requested up- and downlink bandwidths, in kbit/s rounded up. The AVPs are
 * kept so a rejection can name the one at fault in Failed-AVP.
 *
 * @param bandwidthKbps -1 when neither bandwidth is given
 * @param qci           -1 when not given
 */
record QosInformation(long bandwidthKbps, Avp bandwidthAvp, long qci, Avp qciAvp) {
    static final long QOS_INFORMATION = 1016;
    static final long QOS_CLASS_IDENTIFIER = 1028;
    static final long MAX_REQUESTED_BANDWIDTH_DL = 515;
    static final long MAX_REQUESTED_BANDWIDTH_UL = 516;

    /**
     * The QoS-Information of the MSCC of {@code ratingGroup}, else the first one of the request
     * (top level, or inside Service-Information / PS-Information); null when there is none.
     */
    static QosInformation of(DiameterMessage request, long ratingGroup) {
        try {
            for (Avp mscc : request.findAll(Codes.MULTIPLE_SERVICES_CREDIT_CONTROL, 0)) {
                Avp qos = null;
                boolean ours = false;
                for (Avp m : mscc.grouped()) {
                    if (m.code() == Codes.RATING_GROUP && m.vendorId() == 0) {
                        ours = m.unsigned32() == ratingGroup;
                    } else if (m.code() == QOS_INFORMATION && m.vendorId() == Dictionary.VENDOR_3GPP) {
                        qos = m;
                    }
                }
                if (ours && qos != null) {
                    return read(qos);
                }
            }
            Avp anywhere = TerminalAttributes.first(request, QOS_INFORMATION);
            return anywhere == null ? null : read(anywhere);
        } catch (AvpFormatException bad) {
            return null; // a malformed group was refused when the request was read
        }
    }

    private static QosInformation read(Avp qos) throws AvpFormatException {
        long bandwidthBps = -1;
        Avp bandwidthAvp = null;
        long qci = -1;
        Avp qciAvp = null;
        for (Avp m : qos.grouped()) {
            if (m.vendorId() != Dictionary.VENDOR_3GPP) {
                continue;
            }
            if (m.code() == MAX_REQUESTED_BANDWIDTH_DL || m.code() == MAX_REQUESTED_BANDWIDTH_UL) {
                if (m.unsigned32() > bandwidthBps) {
                    bandwidthBps = m.unsigned32();
                    bandwidthAvp = m;
                }
            } else if (m.code() == QOS_CLASS_IDENTIFIER) {
                qci = m.integer32();
                qciAvp = m;
            }
        }
        return new QosInformation(bandwidthBps < 0 ? -1 : (bandwidthBps + 999) / 1000, bandwidthAvp, qci, qciAvp);
    }
}
