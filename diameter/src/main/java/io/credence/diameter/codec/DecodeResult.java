package io.credence.diameter.codec;

/**
 * The outcome of decoding one frame. A malformed frame says which RFC 6733 Result-Code answers
 * it and, when one AVP is at fault, which (for Failed-AVP); the caller decides whether it can
 * still answer (header readable) or must close the connection.
 */
public sealed interface DecodeResult {
    record Decoded(DiameterMessage message) implements DecodeResult {}

    /**
     * @param headerReadable whether hop-by-hop/end-to-end/command could be read, so an answer
     *                       can be addressed; if not, the only safe response is to close
     */
    record Malformed(long resultCode, String reason, Avp failedAvp, boolean headerReadable, int commandCode,
                     long applicationId, long hopByHop, long endToEnd, int flags) implements DecodeResult {}
}
