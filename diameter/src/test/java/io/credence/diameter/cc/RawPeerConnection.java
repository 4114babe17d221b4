package io.credence.diameter.cc;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DecodeResult;
import io.credence.diameter.codec.DiameterCodec;
import io.credence.diameter.codec.DiameterMessage;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A peer on a plain socket: CER/CEA, then whatever frames the test writes, pipelined. A reader
 * thread takes each answer off the socket, matches it to its frame by hop-by-hop identifier and
 * checks it against the frame's {@link Verdict}; what does not hold goes to {@code failures}.
 * At most {@code windowMax} answers are outstanding, so a server that stops answering shows up
 * as a writer that cannot go on within {@code patienceMillis}.
 */
final class RawPeerConnection implements AutoCloseable {
    /** How a connection ended. */
    enum End { OPEN, EOF, RESET, TIMED_OUT }

    /** A frame written, and what it must get back. */
    record Sent(long hopByHop, long endToEnd, int commandCode, long applicationId, Verdict verdict,
                CcrMutator.Mutant mutant) {}

    private static final DiameterCodec CODEC = new DiameterCodec(CcrMutator.MESSAGE_BYTES_MAX);

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final Semaphore window;
    private final long patienceMillis;
    private final Map<Long, Sent> outstanding = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> histogram;
    private final Queue<String> failures;
    private final Thread reader;
    private volatile boolean misframed;
    private volatile End end = End.OPEN;
    private volatile long lastProgressNanos = System.nanoTime();
    private volatile long writingSinceNanos;

    RawPeerConnection(int port, String originHost, int windowMax, long patienceMillis, Map<String, LongAdder> histogram,
                      Queue<String> failures) throws IOException {
        this.socket = new Socket("127.0.0.1", port);
        this.window = new Semaphore(windowMax);
        this.patienceMillis = patienceMillis;
        this.histogram = histogram;
        this.failures = failures;
        socket.setSoTimeout((int) patienceMillis);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
        out.write(CODEC.encode(new DiameterMessage(DiameterMessage.FLAG_REQUEST, Codes.CAPABILITIES_EXCHANGE, 0, 1, 1,
                List.of(Avps.utf8(Codes.ORIGIN_HOST, 0, true, originHost),
                        Avps.utf8(Codes.ORIGIN_REALM, 0, true, "operator.test"),
                        Avps.address(Codes.HOST_IP_ADDRESS, 0, true, new byte[] {127, 0, 0, 1}),
                        Avps.unsigned32(Codes.VENDOR_ID, 0, true, 10415),
                        Avps.utf8(Codes.PRODUCT_NAME, 0, false, "fuzz"),
                        Avps.unsigned32(Codes.AUTH_APPLICATION_ID, 0, true, Codes.APP_CREDIT_CONTROL)))));
        DiameterMessage cea = decodeAnswer(readFrame(in));
        if (cea == null || resultCode(cea) != Codes.DIAMETER_SUCCESS) {
            throw new IOException("capabilities exchange failed: " + cea);
        }
        reader = Thread.ofPlatform().name("raw-peer-reader-" + originHost).start(this::readAnswers);
    }

    /**
     * Writes a frame that keeps the connection going; waits for room in the window first when it
     * is owed an answer. False when the window did not open in time (a failure has been recorded).
     */
    boolean send(CcrMutator.Mutant mutant, Verdict verdict) {
        Sent sent = sent(mutant, verdict);
        if (verdict.answered()) {
            try {
                if (!window.tryAcquire(patienceMillis, TimeUnit.MILLISECONDS)) {
                    fail("no answer for " + patienceMillis + " ms with " + outstanding.size() + " outstanding, e.g. "
                            + describe(outstanding.values().stream().findFirst().orElse(null)));
                    return false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            outstanding.put(sent.hopByHop, sent);
        }
        try {
            write(mutant.frame());
        } catch (IOException closed) {
            fail("the connection ended in the middle of the pipeline: " + closed + " writing " + describe(sent));
            return false;
        }
        return true;
    }

    /** A write the reader can see: a server that stops reading leaves it blocked, and the reader ends it. */
    private void write(byte[] frame) throws IOException {
        writingSinceNanos = System.nanoTime();
        try {
            out.write(frame);
        } finally {
            writingSinceNanos = 0;
        }
    }

    /** Waits until every answer owed so far has come; false (and a failure) when the server stalls. */
    boolean awaitAnswers() throws InterruptedException {
        lastProgressNanos = System.nanoTime();
        while (!outstanding.isEmpty() && end == End.OPEN) {
            if (System.nanoTime() - lastProgressNanos > patienceNanos()) {
                fail("stalled: " + outstanding.size() + " answers owed, e.g. "
                        + describe(outstanding.values().iterator().next()));
                return false;
            }
            Thread.sleep(1);
        }
        if (!outstanding.isEmpty()) {
            fail("connection ended (" + end + ") with " + outstanding.size() + " answers owed, e.g. "
                    + describe(outstanding.values().iterator().next()));
            return false;
        }
        return true;
    }

    /**
     * Writes the last frame (any frame: one that breaks the framing, a DPR, or none at all), ends
     * our side of the stream and waits for the server to close. The last frame is answered or the
     * connection closed; after a misframed frame, answers may carry whatever the bytes said.
     */
    End finish(CcrMutator.Mutant last, Verdict verdict) throws InterruptedException {
        try {
            if (last != null) {
                misframed = verdict.kind() == Verdict.Kind.MISFRAMED;
                Sent sent = sent(last, verdict);
                if (verdict.answered() || verdict.kind() == Verdict.Kind.UNFRAMEABLE) {
                    outstanding.put(sent.hopByHop, sent);
                }
                write(last.frame());
            }
            socket.shutdownOutput();
        } catch (IOException closed) {
            fail("the connection ended before its last frame: " + closed);
            return End.TIMED_OUT;
        }
        reader.join(patienceMillis + 1_000);
        if (reader.isAlive() || end == End.OPEN) {
            fail("the server neither answered nor closed within " + patienceMillis + " ms after "
                    + (last == null ? "the end of the stream" : last.describe()));
            end = End.TIMED_OUT;
        }
        outstanding.clear(); // what the last frame was owed may be lost to the close: allowed
        return end;
    }

    private long patienceNanos() {
        return TimeUnit.MILLISECONDS.toNanos(patienceMillis);
    }

    private Sent sent(CcrMutator.Mutant mutant, Verdict verdict) {
        byte[] f = mutant.frame();
        return new Sent(f.length >= 16 ? CcrMutator.u32(f, 12) : -1, f.length >= 20 ? CcrMutator.u32(f, 16) : -1,
                f.length >= 8 ? CcrMutator.u24(f, 5) : -1, f.length >= 12 ? CcrMutator.u32(f, 8) : -1, verdict, mutant);
    }

    private void readAnswers() {
        try {
            while (true) {
                byte[] frame;
                try {
                    frame = readFrame(in);
                } catch (SocketTimeoutException quiet) {
                    long writing = writingSinceNanos;
                    boolean writeStuck = writing != 0 && System.nanoTime() - writing > patienceNanos();
                    if (outstanding.isEmpty() && !writeStuck) {
                        continue;
                    }
                    fail("nothing from the server for " + patienceMillis + " ms with " + outstanding.size()
                            + " answers owed" + (writeStuck ? " and our write blocked" : ""));
                    end = End.TIMED_OUT;
                    socket.close(); // a writer blocked on a server that stopped reading gets an exception
                    return;
                }
                if (frame == null) {
                    end = End.EOF;
                    return;
                }
                lastProgressNanos = System.nanoTime();
                check(frame);
            }
        } catch (SocketException reset) {
            // the server closed with our pipelined bytes unread, so its kernel answered with RST
            end = End.RESET;
        } catch (IOException broken) {
            fail("reading answers: " + broken);
            end = End.TIMED_OUT;
        }
    }

    private void check(byte[] frame) {
        DiameterMessage answer = decodeAnswer(frame);
        if (answer == null) {
            fail("the server wrote a frame that does not decode: " + HexFormat.of().formatHex(frame));
            return;
        }
        if (answer.isRequest()) {
            fail("unexpected request from the server: command " + answer.commandCode());
            return;
        }
        Sent sent = outstanding.remove(answer.hopByHop());
        long result = resultCode(answer);
        if (sent == null) {
            if (!misframed) {
                fail("answer to nothing sent: hop-by-hop " + answer.hopByHop() + ", Result-Code " + result);
            }
            histogram.computeIfAbsent("MISFRAMED " + result, k -> new LongAdder()).increment();
            return;
        }
        window.release();
        histogram.computeIfAbsent(sent.verdict.label() + (sent.verdict.resultCode() == Verdict.OPEN ? " -> " + result
                : ""), k -> new LongAdder()).increment();
        if (answer.commandCode() != sent.commandCode || answer.applicationId() != sent.applicationId
                || answer.endToEnd() != sent.endToEnd) {
            fail("answer header does not echo the request: " + answer + " for " + describe(sent));
        }
        if (answer.isError() != Codes.isProtocolError(result)) {
            fail("E bit " + answer.isError() + " with Result-Code " + result + " for " + describe(sent));
        }
        switch (sent.verdict.kind()) {
            case PROTOCOL, REFUSED, DISCONNECT, UNFRAMEABLE -> {
                if (result != sent.verdict.resultCode()) {
                    fail("Result-Code " + result + ", expected " + sent.verdict.label() + " " + errorMessage(answer)
                            + " for " + describe(sent));
                }
            }
            case APPLICATION -> {
                if (result == Codes.DIAMETER_TOO_BUSY || result == Codes.DIAMETER_UNABLE_TO_COMPLY) {
                    fail("Result-Code " + result + " " + errorMessage(answer) + " for a well-formed "
                            + describe(sent));
                }
            }
            case MISFRAMED, DROPPED -> fail("answer to a frame owed none: " + result + " for " + describe(sent));
        }
    }

    private void fail(String failure) {
        failures.add(failure);
    }

    private static String describe(Sent sent) {
        if (sent == null) {
            return "?";
        }
        byte[] f = sent.mutant.frame();
        return sent.verdict.label() + " " + sent.mutant.describe() + " "
                + HexFormat.of().formatHex(f, 0, Math.min(f.length, 160));
    }

    private static String errorMessage(DiameterMessage answer) {
        return answer.find(Codes.ERROR_MESSAGE, 0).map(Avp::utf8).map(m -> "(" + m + ")").orElse("");
    }

    private static long resultCode(DiameterMessage answer) {
        return answer.find(Codes.RESULT_CODE, 0).map(Avp::unsigned32).orElse(-1L);
    }

    private static DiameterMessage decodeAnswer(byte[] frame) {
        return CODEC.decode(frame) instanceof DecodeResult.Decoded ok ? ok.message() : null;
    }

    /** One frame as the header cuts it; null at a clean end of stream. */
    private static byte[] readFrame(DataInputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        byte[] head = new byte[4];
        head[0] = (byte) first;
        try {
            in.readFully(head, 1, 3);
            int length = CcrMutator.u24(head, 1);
            if (length < DiameterMessage.HEADER_LENGTH || length > CcrMutator.MESSAGE_BYTES_MAX) {
                throw new IOException("the server announced a frame of " + length + " bytes");
            }
            byte[] frame = new byte[length];
            System.arraycopy(head, 0, frame, 0, 4);
            in.readFully(frame, 4, length - 4);
            return frame;
        } catch (EOFException cut) {
            throw new IOException("the server closed in the middle of a frame", cut);
        }
    }

    End end() {
        return end;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
