package io.credence.diameter.transport;

import io.credence.diameter.codec.DiameterCodec;
import io.credence.diameter.codec.DiameterMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Cuts the byte stream into Diameter frames by the header's length, never trusting it beyond the
 * configured message bound. A header that cannot start a frame (bad version, impossible or
 * oversized length) loses the framing for good: one {@link FrameError} goes up carrying the
 * header, so the connection can answer it if it was a request, and everything after is dropped.
 */
final class FrameDecoder extends ByteToMessageDecoder {
    /** A frame whose header could not be accepted; {@code header} holds its first 20 bytes. */
    record FrameError(byte[] header, String reason) {}

    private final DiameterCodec codec;
    private boolean broken;

    FrameDecoder(DiameterCodec codec) {
        this.codec = codec;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= 4) {
            int at = in.readerIndex();
            byte version = in.getByte(at);
            int announced = in.getUnsignedMedium(at + 1);
            int length = codec.frameLength(version, announced);
            if (length < 0) {
                if (in.readableBytes() < DiameterMessage.HEADER_LENGTH) {
                    return; // wait for a whole header so the error can be answered; the idle timer bounds the wait
                }
                byte[] header = new byte[DiameterMessage.HEADER_LENGTH];
                in.getBytes(at, header);
                in.skipBytes(in.readableBytes());
                broken = true;
                out.add(new FrameError(header, "frame header refused: version " + (version & 0xFF) + ", length "
                        + announced + " (bound " + codec.messageBytesMax() + ")"));
                return;
            }
            if (in.readableBytes() < length) {
                return;
            }
            byte[] frame = new byte[length];
            in.readBytes(frame);
            out.add(frame);
        }
    }
}
