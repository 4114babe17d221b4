package io.credence.diameter.codec;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DiameterCodecTest {
    static final long TGPP = 10415;
    final DiameterCodec codec = new DiameterCodec(64 * 1024);

    /** A CCR-Update as a PGW sends it: base AVPs, Subscription-Id, one MSCC with USU and RSU, a 3GPP AVP. */
    static DiameterMessage ccrUpdate() {
        return new DiameterMessage(DiameterMessage.FLAG_REQUEST | DiameterMessage.FLAG_PROXIABLE, 272, 4, 0x1234, 0xABCD,
                List.of(
                        Avps.utf8(263, 0, true, "pgw.example.net;1700000000;42"),
                        Avps.utf8(264, 0, true, "pgw.example.net"),
                        Avps.utf8(296, 0, true, "example.net"),
                        Avps.utf8(283, 0, true, "ocs.example.net"),
                        Avps.unsigned32(258, 0, true, 4),
                        Avps.utf8(461, 0, true, "32251@3gpp.org"),
                        Avps.unsigned32(416, 0, true, 2),
                        Avps.unsigned32(415, 0, true, 1),
                        Avps.grouped(443, 0, true, List.of(Avps.unsigned32(450, 0, true, 0),
                                Avps.utf8(444, 0, true, "491701234567"))),
                        Avps.grouped(456, 0, true, List.of(
                                Avps.grouped(437, 0, true, List.of()),
                                Avps.grouped(446, 0, true, List.of(Avps.long64(421, 0, true, 1_048_576),
                                        Avps.unsigned32(420, 0, true, 60))),
                                Avps.unsigned32(432, 0, true, 10))),
                        Avps.octets(21, TGPP, false, new byte[] {6})));
    }

    @Test
    void aCreditControlRequestRoundTripsWithGroupsVendorsAndPadding() {
        DiameterMessage original = ccrUpdate();
        byte[] frame = codec.encode(original);
        assertThat(frame.length % 4).isZero();
        assertThat(codec.frameLength(frame[0], Bytes.u24(frame, 1))).isEqualTo(frame.length);

        DecodeResult result = codec.decode(frame);
        assertThat(result).isInstanceOf(DecodeResult.Decoded.class);
        DiameterMessage decoded = ((DecodeResult.Decoded) result).message();
        assertThat(decoded).isEqualTo(original);
        assertThat(decoded.find(263, 0).orElseThrow().utf8()).isEqualTo("pgw.example.net;1700000000;42");
        Avp mscc = decoded.find(456, 0).orElseThrow();
        Avp used = mscc.grouped().get(1);
        assertThat(used.grouped().get(0).unsigned64()).isEqualTo(1_048_576);
        assertThat(decoded.find(21, TGPP).orElseThrow().data()).containsExactly(6);
        assertThat(Arrays.equals(codec.encode(decoded), frame)).isTrue();
    }

    @Test
    void anAnswerKeepsTheProxiableBitAndCarriesTheRequestsProxyInfoInOrder() {
        Avp first = Avps.grouped(Codes.PROXY_INFO, 0, true, List.of(Avps.utf8(Codes.PROXY_HOST, 0, true, "p1.example.net"),
                Avps.octets(Codes.PROXY_STATE, 0, true, new byte[] {1})));
        Avp second = Avps.grouped(Codes.PROXY_INFO, 0, true, List.of(Avps.utf8(Codes.PROXY_HOST, 0, true, "p2.example.net"),
                Avps.octets(Codes.PROXY_STATE, 0, true, new byte[] {2})));
        DiameterMessage request = ccrUpdate();
        List<Avp> avps = new java.util.ArrayList<>(request.avps());
        avps.add(2, first);
        avps.add(second);
        DiameterMessage proxied = new DiameterMessage(request.flags() | DiameterMessage.FLAG_RETRANSMITTED,
                request.commandCode(), request.applicationId(), request.hopByHop(), request.endToEnd(), avps);
        Avp result = Avps.unsigned32(Codes.RESULT_CODE, 0, true, Codes.DIAMETER_SUCCESS);

        DiameterMessage answer = proxied.answer(List.of(result));

        assertThat(answer.avps()).containsExactly(result, first, second);
        assertThat(answer.flags()).isEqualTo(DiameterMessage.FLAG_PROXIABLE);
        assertThat(request.answer(List.of(result)).avps()).containsExactly(result);
        assertThatThrownBy(() -> proxied.answer(List.of(result, first))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyBasicTypeKeepsItsValue() {
        long now = 1_764_000_000L;
        Avp time = Avps.time(55, 0, false, now);
        assertThat(time.timeEpochSeconds()).isEqualTo(now);
        assertThat(Avps.integer32(1, 0, false, -7).integer32()).isEqualTo(-7);
        assertThat(Avps.long64(1, 0, false, -9_000_000_000L).integer64()).isEqualTo(-9_000_000_000L);
        assertThat(Avps.unsigned32(1, 0, false, 0xFFFF_FFFFL).unsigned32()).isEqualTo(0xFFFF_FFFFL);
        assertThat(Avps.float32(1, 0, false, 1.5f).float32()).isEqualTo(1.5f);
        assertThat(Avps.float64(1, 0, false, -2.25).float64()).isEqualTo(-2.25);
        assertThat(Avps.address(257, 0, true, new byte[] {127, 0, 0, 1}).address()).containsExactly(127, 0, 0, 1);
        assertThat(Avps.address(257, 0, true, new byte[16]).address()).hasSize(16);
        assertThat(Avps.utf8(1, 0, false, "Grüße ☎").utf8()).isEqualTo("Grüße ☎");
    }

    @Test
    void dataThatDoesNotFitItsTypeNamesTheAvp() {
        Avp shortU32 = new Avp(415, Avp.FLAG_MANDATORY, 0, new byte[3]);
        assertThatThrownBy(shortU32::unsigned32).isInstanceOf(AvpFormatException.class)
                .satisfies(e -> assertThat(((AvpFormatException) e).avp()).isEqualTo(shortU32));
        Avp badUtf8 = new Avp(263, 0, 0, new byte[] {(byte) 0xC3});
        assertThatThrownBy(badUtf8::utf8).isInstanceOf(AvpFormatException.class);
        Avp badGroup = new Avp(456, 0, 0, new byte[] {0, 0, 1, (byte) 0xB0, 0, 0, 0, 99});
        assertThatThrownBy(badGroup::grouped).isInstanceOf(AvpFormatException.class);
        Avp badAddress = new Avp(257, 0, 0, new byte[] {0, 1, 1, 2});
        assertThatThrownBy(badAddress::address).isInstanceOf(AvpFormatException.class);
    }

    @Test
    void aWrongVersionIsRefusedWithUnsupportedVersion() {
        byte[] frame = codec.encode(ccrUpdate());
        frame[0] = 2;
        assertThat(codec.frameLength(frame[0], Bytes.u24(frame, 1))).isEqualTo(-1);
        DecodeResult.Malformed bad = (DecodeResult.Malformed) codec.decode(frame);
        assertThat(bad.resultCode()).isEqualTo(DiameterCodec.DIAMETER_UNSUPPORTED_VERSION);
        assertThat(bad.hopByHop()).isEqualTo(0x1234);
    }

    @Test
    void aHeaderLengthThatLiesIsAnInvalidMessageLength() {
        byte[] frame = codec.encode(ccrUpdate());
        Bytes.putU24(frame, 1, frame.length + 4);
        assertThat(((DecodeResult.Malformed) codec.decode(frame)).resultCode())
                .isEqualTo(DiameterCodec.DIAMETER_INVALID_MESSAGE_LENGTH);
        assertThat(codec.frameLength((byte) 1, 0xFF_FFFF)).as("larger than the bound").isEqualTo(-1);
        assertThat(codec.frameLength((byte) 1, 21)).as("not a multiple of four").isEqualTo(-1);
        assertThat(codec.frameLength((byte) 1, 16)).as("shorter than a header").isEqualTo(-1);
    }

    @Test
    void anAvpLengthThatLiesIsAnInvalidAvpLengthNamingTheAvp() {
        byte[] frame = codec.encode(ccrUpdate());
        Bytes.putU24(frame, DiameterMessage.HEADER_LENGTH + 5, 4000); // Session-Id claims 4000 bytes
        DecodeResult.Malformed bad = (DecodeResult.Malformed) codec.decode(frame);
        assertThat(bad.resultCode()).isEqualTo(DiameterCodec.DIAMETER_INVALID_AVP_LENGTH);
        assertThat(bad.failedAvp().code()).isEqualTo(263);
        assertThat(bad.headerReadable()).isTrue();
    }

    @Test
    void reservedBitsAreRefused() {
        byte[] frame = codec.encode(ccrUpdate());
        frame[4] |= 0x01;
        assertThat(((DecodeResult.Malformed) codec.decode(frame)).resultCode())
                .isEqualTo(DiameterCodec.DIAMETER_INVALID_HDR_BITS);
        byte[] avpBits = codec.encode(ccrUpdate());
        avpBits[DiameterMessage.HEADER_LENGTH + 4] |= 0x01;
        assertThat(((DecodeResult.Malformed) codec.decode(avpBits)).resultCode())
                .isEqualTo(DiameterCodec.DIAMETER_INVALID_AVP_BITS);
    }

    @Test
    void everyTruncationIsRefusedCleanly() {
        byte[] frame = codec.encode(ccrUpdate());
        for (int cut = 0; cut < frame.length; cut++) {
            DecodeResult result = codec.decode(Arrays.copyOf(frame, cut));
            assertThat(result).as("cut at %d", cut).isInstanceOf(DecodeResult.Malformed.class);
        }
    }

    @Test
    void deeplyNestedGroupsAreReadALevelAtATime() {
        Avp leaf = Avps.unsigned32(432, 0, true, 10);
        Avp nested = leaf;
        for (int depth = 0; depth < 5000; depth++) {
            nested = Avps.grouped(456, 0, false, List.of(nested));
        }
        DiameterMessage message = new DiameterMessage(DiameterMessage.FLAG_REQUEST, 272, 4, 1, 1, List.of(nested));
        DiameterMessage decoded = ((DecodeResult.Decoded) new DiameterCodec(1 << 20).decode(
                new DiameterCodec(1 << 20).encode(message))).message();
        Avp at = decoded.avps().get(0);
        for (int depth = 0; depth < 5000; depth++) {
            at = at.grouped().get(0);
        }
        assertThat(at.unsigned32()).isEqualTo(10);
    }

    /** Seeded random mutations: decoding never throws, and whatever decodes re-encodes to a decodable frame. */
    @Test
    void mutatedFramesNeverThrow() {
        byte[] original = codec.encode(ccrUpdate());
        Random random = new Random(7);
        int decoded = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] frame = original.clone();
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                int at = random.nextInt(frame.length);
                frame[at] = switch (random.nextInt(4)) {
                    case 0 -> (byte) random.nextInt(256);
                    case 1 -> (byte) (frame[at] ^ (1 << random.nextInt(8)));
                    case 2 -> 0;
                    default -> (byte) 0xFF;
                };
            }
            DecodeResult result = codec.decode(frame);
            if (result instanceof DecodeResult.Decoded ok) {
                decoded++;
                assertThat(codec.decode(codec.encode(ok.message()))).isInstanceOf(DecodeResult.Decoded.class);
                for (Avp avp : ok.message().avps()) {
                    try {
                        avp.grouped();
                    } catch (AvpFormatException expected) {
                        // a mutated group is a typed error, never anything else
                    }
                }
            }
        }
        assertThat(decoded).as("some mutations leave a well-formed frame").isPositive();
    }
}
