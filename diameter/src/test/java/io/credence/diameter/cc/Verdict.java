package io.credence.diameter.cc;

import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DecodeResult;
import io.credence.diameter.codec.DiameterCodec;
import io.credence.diameter.codec.DiameterMessage;

/**
 * What a server on an open connection must do with one frame, worked out from the codec and the
 * credit-control parser alone, in the order the transport and the application look at it: the
 * frame header (FrameDecoder), the codec, DWR/DPR, capabilities, application and command
 * (ServerConnection, CreditControlServer) and then the request's content (CcRequest). Only what
 * the session logic and the ledger make of a well-formed request is left open.
 */
record Verdict(Kind kind, long resultCode) {
    /** No Result-Code is fixed in advance (nothing answered, or the session logic decides). */
    static final long OPEN = -1;

    enum Kind {
        /** The header cannot start a frame: a request with a whole header is answered 5011/5015, then closed. */
        UNFRAMEABLE,
        /** The transport accepts the length but it is not this frame's: the stream is cut elsewhere from here. */
        MISFRAMED,
        /** An answer, or a malformed frame without the R bit: there is nothing to reply to. */
        DROPPED,
        /** Answered by the codec or the transport with {@code resultCode} (3xxx, 5011..5015, 5012 for CER). */
        PROTOCOL,
        /** A Disconnect-Peer-Request: answered 2001, then the connection ends. */
        DISCONNECT,
        /** A CCR the parser refuses with {@code resultCode} before anything is looked up. */
        REFUSED,
        /** A well-formed CCR: the session logic and the ledger decide. */
        APPLICATION
    }

    static Verdict of(DiameterCodec codec, CreditControlConfig config, byte[] frame) {
        DecodeResult decoded = codec.decode(frame);
        int framed = frame.length >= 4 ? codec.frameLength(frame[0], CcrMutator.u24(frame, 1)) : -1;
        if (framed < 0) {
            return new Verdict(Kind.UNFRAMEABLE, (frame.length > 0 && frame[0] != DiameterMessage.VERSION)
                    ? DiameterCodec.DIAMETER_UNSUPPORTED_VERSION : DiameterCodec.DIAMETER_INVALID_MESSAGE_LENGTH);
        }
        if (framed != frame.length) {
            return new Verdict(Kind.MISFRAMED, OPEN);
        }
        return switch (decoded) {
            case DecodeResult.Malformed bad -> (bad.flags() & DiameterMessage.FLAG_REQUEST) != 0
                    ? new Verdict(Kind.PROTOCOL, bad.resultCode()) : new Verdict(Kind.DROPPED, OPEN);
            case DecodeResult.Decoded ok -> ofMessage(ok.message(), config);
        };
    }

    private static Verdict ofMessage(DiameterMessage message, CreditControlConfig config) {
        // parsed whatever the header says: the parser must survive any AVPs that decode, not only a CCR's
        CcError refused = parse(message, config);
        if (!message.isRequest()) {
            return new Verdict(Kind.DROPPED, OPEN);
        }
        if (message.applicationId() == Codes.APP_COMMON && message.commandCode() == Codes.DEVICE_WATCHDOG) {
            return new Verdict(Kind.PROTOCOL, Codes.DIAMETER_SUCCESS);
        }
        if (message.applicationId() == Codes.APP_COMMON && message.commandCode() == Codes.DISCONNECT_PEER) {
            return new Verdict(Kind.DISCONNECT, Codes.DIAMETER_SUCCESS);
        }
        if (message.commandCode() == Codes.CAPABILITIES_EXCHANGE) {
            return new Verdict(Kind.PROTOCOL, Codes.DIAMETER_UNABLE_TO_COMPLY);
        }
        if (message.applicationId() != Codes.APP_CREDIT_CONTROL) {
            return new Verdict(Kind.PROTOCOL, message.applicationId() == Codes.APP_COMMON
                    ? Codes.DIAMETER_COMMAND_UNSUPPORTED : Codes.DIAMETER_APPLICATION_UNSUPPORTED);
        }
        if (message.commandCode() != Codes.CREDIT_CONTROL) {
            return new Verdict(Kind.PROTOCOL, Codes.DIAMETER_COMMAND_UNSUPPORTED);
        }
        return refused == null ? new Verdict(Kind.APPLICATION, OPEN) : new Verdict(Kind.REFUSED, refused.resultCode);
    }

    /** Null when the request reads; anything but a CcError escapes and fails the test. */
    private static CcError parse(DiameterMessage message, CreditControlConfig config) {
        try {
            CcRequest.read(message, config);
            return null;
        } catch (CcError refused) {
            return refused;
        }
    }

    /** Whether the server owes an answer to this frame while the connection stays open. */
    boolean answered() {
        return switch (kind) {
            case PROTOCOL, DISCONNECT, REFUSED, APPLICATION -> true;
            case UNFRAMEABLE, MISFRAMED, DROPPED -> false;
        };
    }

    /** Whether the connection goes on after this frame (so it may sit anywhere in a pipeline). */
    boolean keepsConnection() {
        return switch (kind) {
            case DROPPED, PROTOCOL, REFUSED, APPLICATION -> true;
            case UNFRAMEABLE, MISFRAMED, DISCONNECT -> false;
        };
    }

    String label() {
        return kind + (resultCode == OPEN ? "" : " " + resultCode);
    }
}
