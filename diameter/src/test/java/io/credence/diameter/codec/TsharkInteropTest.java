package io.credence.diameter.codec;

import io.credence.diameter.ExternalPrograms;
import io.credence.testkit.RequiresTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wireshark, which nobody here wrote, must read what the codec writes: each frame becomes a TCP
 * segment to port 3868 (text2pcap) and tshark dissects it as Diameter. No malformed packet, no
 * AVP it does not know under the name we gave it. {@code .ci/run} installs tshark; on a machine
 * without it the test is reported skipped, saying so, not faked.
 */
@RequiresTools({"tshark", "text2pcap"})
class TsharkInteropTest {
    static final long TGPP = Dictionary.VENDOR_3GPP;

    @TempDir
    Path dir;

    @Test
    void tsharkDecodesCreditControlTrafficWithoutComplaint() throws Exception {
        List<DiameterMessage> messages = List.of(DiameterCodecTest.ccrUpdate(), ccrWithServiceInformation(), ccaWithGrant(),
                capabilitiesExchange());
        String dissection = dissect(messages);

        assertThat(dissection).doesNotContainIgnoringCase("malformed");
        assertThat(dissection).doesNotContain("Unknown AVP").doesNotContain("AVP: Unknown");
        assertThat(dissection).contains("Multiple-Services-Credit-Control(456)", "Granted-Service-Unit(431)",
                "Final-Unit-Indication(430)", "Final-Unit-Action(449) l=12 f=-M- val=TERMINATE (0)",
                "Service-Information(873)", "PS-Information(874)", "IMS-Information(876)", "3GPP-RAT-Type(21)",
                "Role-Of-Node(829)", "Called-Party-Address(832)", "Calling-Party-Address(831)",
                "Access-Network-Information(1263)", "Outgoing-Trunk-Group-ID(853)", "User-Equipment-Info(458)",
                "Validity-Time(448) l=12 f=-M- val=600", "Host-IP-Address(257)",
                "Vendor-Specific-Application-Id(260)", "Result-Code(268) l=12 f=-M- val=DIAMETER_SUCCESS (2001)");
    }

    static DiameterMessage ccrWithServiceInformation() {
        List<Avp> ims = List.of(
                Avps.unsigned32(829, TGPP, true, 0),
                Avps.unsigned32(862, TGPP, true, 0),
                Avps.utf8(831, TGPP, true, "sip:+491701234567@ims.example.net"),
                Avps.utf8(832, TGPP, true, "tel:+4930123456"),
                Avps.octets(1263, TGPP, true, "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=26201".getBytes(StandardCharsets.UTF_8)),
                Avps.grouped(851, TGPP, true, List.of(Avps.utf8(853, TGPP, true, "trunk-7"))));
        List<Avp> ps = List.of(Avps.octets(21, TGPP, false, new byte[] {6}));
        return new DiameterMessage(DiameterMessage.FLAG_REQUEST | DiameterMessage.FLAG_PROXIABLE, 272, 4, 7, 7, List.of(
                Avps.utf8(263, 0, true, "scscf.example.net;1;1"),
                Avps.utf8(264, 0, true, "scscf.example.net"),
                Avps.utf8(296, 0, true, "example.net"),
                Avps.utf8(283, 0, true, "ocs.example.net"),
                Avps.unsigned32(258, 0, true, 4),
                Avps.utf8(461, 0, true, "32260@3gpp.org"),
                Avps.unsigned32(416, 0, true, 1),
                Avps.unsigned32(415, 0, true, 0),
                Avps.grouped(458, 0, false, List.of(Avps.unsigned32(459, 0, false, 0),
                        Avps.octets(460, 0, false, "3533210000000001".getBytes(StandardCharsets.US_ASCII)))),
                Avps.unsigned32(455, 0, true, 1),
                Avps.grouped(873, TGPP, true, List.of(Avps.grouped(874, TGPP, true, ps),
                        Avps.grouped(876, TGPP, true, ims)))));
    }

    static DiameterMessage ccaWithGrant() {
        DiameterMessage request = DiameterCodecTest.ccrUpdate();
        return request.answer(List.of(
                Avps.utf8(263, 0, true, "pgw.example.net;1700000000;42"),
                Avps.unsigned32(268, 0, true, 2001),
                Avps.utf8(264, 0, true, "ocs.example.net"),
                Avps.utf8(296, 0, true, "example.net"),
                Avps.unsigned32(258, 0, true, 4),
                Avps.unsigned32(416, 0, true, 2),
                Avps.unsigned32(415, 0, true, 1),
                Avps.grouped(456, 0, true, List.of(
                        Avps.grouped(431, 0, true, List.of(Avps.long64(421, 0, true, 10_000_000))),
                        Avps.unsigned32(432, 0, true, 10),
                        Avps.unsigned32(448, 0, true, 600),
                        Avps.unsigned32(268, 0, true, 2001),
                        Avps.grouped(430, 0, true, List.of(Avps.unsigned32(449, 0, true, 0)))))));
    }

    static DiameterMessage capabilitiesExchange() {
        return new DiameterMessage(DiameterMessage.FLAG_REQUEST, 257, 0, 9, 9, List.of(
                Avps.utf8(264, 0, true, "ocs.example.net"),
                Avps.utf8(296, 0, true, "example.net"),
                Avps.address(257, 0, true, new byte[] {127, 0, 0, 1}),
                Avps.unsigned32(266, 0, true, 0),
                Avps.utf8(269, 0, false, "Credence"),
                Avps.unsigned32(258, 0, true, 4),
                Avps.grouped(260, 0, true, List.of(Avps.unsigned32(266, 0, true, TGPP), Avps.unsigned32(258, 0, true, 4))),
                Avps.unsigned32(267, 0, false, 1)));
    }

    private String dissect(List<DiameterMessage> messages) throws IOException, InterruptedException {
        DiameterCodec codec = new DiameterCodec(64 * 1024);
        StringBuilder hex = new StringBuilder();
        for (DiameterMessage message : messages) {
            byte[] frame = codec.encode(message);
            for (int i = 0; i < frame.length; i++) {
                if (i % 16 == 0) {
                    hex.append(i == 0 ? "" : "\n").append(String.format("%06x ", i));
                }
                hex.append(String.format("%02x ", frame[i]));
            }
            hex.append("\n\n");
        }
        Path dump = dir.resolve("frames.hex");
        Path pcap = dir.resolve("frames.pcap");
        Files.writeString(dump, hex);
        run(List.of("text2pcap", "-q", "-T", "40000,3868", dump.toString(), pcap.toString()));
        return run(List.of("tshark", "-r", pcap.toString(), "-d", "tcp.port==3868,diameter", "-V", "-Y", "diameter"));
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        return ExternalPrograms.run(command, Duration.ofSeconds(60));
    }
}
