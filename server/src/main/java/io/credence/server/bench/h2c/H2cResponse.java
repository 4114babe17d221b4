package io.credence.server.bench.h2c;

import io.netty.handler.codec.http2.Http2Headers;

/**
 * A complete HTTP/2 answer: the status, the first (non-informational) header block and the body.
 *
 * @param status   the {@code :status}, or 0 when the server sent none
 * @param headers  as decoded, names in lower case (HTTP/2 requires it)
 * @param body     the body's bytes, at most {@link H2cClient#BODY_MAX} of them (the rest is dropped);
 *                 not copied, so not to be changed
 */
public record H2cResponse(int status, Http2Headers headers, byte[] body) {
    /** The header's first value, or null; {@code name} in lower case. */
    public String header(CharSequence name) {
        CharSequence value = headers.get(name);
        return value == null ? null : value.toString();
    }
}
