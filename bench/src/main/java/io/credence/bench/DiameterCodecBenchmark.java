package io.credence.bench;

import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.DecodeResult;
import io.credence.diameter.codec.DiameterCodec;
import io.credence.diameter.codec.DiameterMessage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Encode and decode of a typical CCR-Update with one Multiple-Services-Credit-Control (Used- and
 * Requested-Service-Unit, rating group, reporting reason) and PS-Information, as a PGW sends it:
 * 420 bytes. Decode includes reading the MSCC group and its Used-Service-Unit, which is
 * what the credit-control application does with every request.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(1)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class DiameterCodecBenchmark {
    static final long TGPP = 10415;

    DiameterCodec codec;
    DiameterMessage message;
    byte[] frame;

    @Setup
    public void setUp() {
        codec = new DiameterCodec(64 * 1024);
        message = new DiameterMessage(DiameterMessage.FLAG_REQUEST | DiameterMessage.FLAG_PROXIABLE, 272, 4, 0x1234,
                0xABCD, List.of(
                        Avps.utf8(263, 0, true, "pgw01.example.net;1764000000;4711"),
                        Avps.utf8(264, 0, true, "pgw01.example.net"),
                        Avps.utf8(296, 0, true, "example.net"),
                        Avps.utf8(283, 0, true, "example.net"),
                        Avps.unsigned32(258, 0, true, 4),
                        Avps.utf8(461, 0, true, "32251@3gpp.org"),
                        Avps.unsigned32(416, 0, true, 2),
                        Avps.unsigned32(415, 0, true, 3),
                        Avps.time(55, 0, true, 1_764_000_000L),
                        Avps.grouped(443, 0, true, List.of(Avps.unsigned32(450, 0, true, 1),
                                Avps.utf8(444, 0, true, "262011234567890"))),
                        Avps.unsigned32(455, 0, true, 1),
                        Avps.grouped(456, 0, true, List.of(
                                Avps.grouped(437, 0, true, List.of()),
                                Avps.grouped(446, 0, true, List.of(Avps.long64(421, 0, true, 7_340_032),
                                        Avps.long64(412, 0, true, 1_048_576), Avps.long64(414, 0, true, 6_291_456))),
                                Avps.unsigned32(432, 0, true, 10),
                                Avps.unsigned32(872, TGPP, true, 3))),
                        Avps.grouped(873, TGPP, true, List.of(Avps.grouped(874, TGPP, true, List.of(
                                Avps.octets(21, TGPP, false, new byte[] {6}),
                                Avps.utf8(18, TGPP, false, "26201")))))));
        frame = codec.encode(message);
    }

    @Benchmark
    public byte[] encode() {
        return codec.encode(message);
    }

    @Benchmark
    public void decode(Blackhole hole) {
        DecodeResult result = codec.decode(frame);
        if (!(result instanceof DecodeResult.Decoded decoded)) {
            throw new IllegalStateException("benchmark frame must decode: " + result);
        }
        Avp mscc = decoded.message().find(456, 0).orElseThrow();
        List<Avp> members = mscc.grouped();
        hole.consume(members.get(1).grouped().get(0).unsigned64());
        hole.consume(decoded.message().find(263, 0).orElseThrow().utf8());
    }
}
