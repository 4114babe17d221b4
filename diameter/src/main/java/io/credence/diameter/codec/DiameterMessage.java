package io.credence.diameter.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Diameter message: header fields and its top-level AVPs, in wire order.
 *
 * <pre>
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |    Version    |                 Message Length                |
 *   | R P E T r r r r|                  Command Code                 |
 *   |                         Application-ID                        |
 *   |                      Hop-by-Hop Identifier                    |
 *   |                      End-to-End Identifier                    |
 *   |  AVPs ...
 * </pre>
 */
public record DiameterMessage(int flags, int commandCode, long applicationId, long hopByHop, long endToEnd,
                              List<Avp> avps) {
    public static final int VERSION = 1;
    public static final int HEADER_LENGTH = 20;
    public static final int FLAG_REQUEST = 0x80;
    public static final int FLAG_PROXIABLE = 0x40;
    public static final int FLAG_ERROR = 0x20;
    public static final int FLAG_RETRANSMITTED = 0x10;
    static final int FLAGS_RESERVED = 0x0F;

    public DiameterMessage {
        if ((flags & ~0xF0) != 0) {
            throw new IllegalArgumentException("only the R, P, E and T flags may be set: 0x" + Integer.toHexString(flags));
        }
        if (commandCode < 0 || commandCode > 0xFF_FFFF) {
            throw new IllegalArgumentException("command code is 24 bits: " + commandCode);
        }
        for (long id : new long[] {applicationId, hopByHop, endToEnd}) {
            if (id < 0 || id > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("header identifiers are Unsigned32: " + id);
            }
        }
        avps = List.copyOf(avps);
    }

    public boolean isRequest() {
        return (flags & FLAG_REQUEST) != 0;
    }

    public boolean isRetransmitted() {
        return (flags & FLAG_RETRANSMITTED) != 0;
    }

    public boolean isError() {
        return (flags & FLAG_ERROR) != 0;
    }

    /** The first top-level AVP with this code and vendor. */
    public Optional<Avp> find(long code, long vendorId) {
        for (Avp avp : avps) {
            if (avp.code() == code && avp.vendorId() == vendorId) {
                return Optional.of(avp);
            }
        }
        return Optional.empty();
    }

    public List<Avp> findAll(long code, long vendorId) {
        List<Avp> out = new ArrayList<>();
        for (Avp avp : avps) {
            if (avp.code() == code && avp.vendorId() == vendorId) {
                out.add(avp);
            }
        }
        return out;
    }

    /** This answer with the E bit: a protocol error (3xxx, RFC 6733 7.1.3). */
    public DiameterMessage withErrorBit() {
        return new DiameterMessage(flags | FLAG_ERROR, commandCode, applicationId, hopByHop, endToEnd, avps);
    }

    /**
     * An answer to this request: same command, application and identifiers; R and T cleared, P
     * kept. The request's Proxy-Info AVPs follow {@code answerAvps} in their order (RFC 6733 6.2):
     * a proxy on the way back finds its state there, so every answer carries them, errors too.
     */
    public DiameterMessage answer(List<Avp> answerAvps) {
        if (!isRequest()) {
            throw new IllegalStateException("only requests are answered");
        }
        List<Avp> proxyInfo = findAll(Codes.PROXY_INFO, 0);
        List<Avp> all = answerAvps;
        if (!proxyInfo.isEmpty()) {
            if (answerAvps.stream().anyMatch(a -> a.code() == Codes.PROXY_INFO && a.vendorId() == 0)) {
                throw new IllegalArgumentException("answer AVPs carry Proxy-Info already; it is copied from the request");
            }
            all = new ArrayList<>(answerAvps.size() + proxyInfo.size());
            all.addAll(answerAvps);
            all.addAll(proxyInfo);
        }
        return new DiameterMessage(flags & FLAG_PROXIABLE, commandCode, applicationId, hopByHop, endToEnd, all);
    }
}
