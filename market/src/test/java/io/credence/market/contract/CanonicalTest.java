package io.credence.market.contract;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class CanonicalTest {
    private static final HexFormat HEX = HexFormat.of();

    /** At least one of every kind, with the optional and variant fields both ways. */
    static List<Entry> everyKind() {
        Contract contract = Fixtures.draft().build();
        Fixtures.Draft operator = Fixtures.draft();
        operator.buyerId = Fixtures.OPERATOR;
        operator.buyerType = BuyerType.OPERATOR;
        operator.resourceUsingNode = null;
        operator.payment = new Payment.Units(UnitKind.DATA_PACK);
        return List.of(
                new ProviderRegistration(Fixtures.PROVIDER, "relay", Fixtures.PROVIDER_KEY.publicKey(), Fixtures.T0),
                Fixtures.offer(),
                new Offer("o-bw", "relay", "p", "t", 0, 1, 1, 0, ChargingStandard.FLAT, ResourceType.BANDWIDTH_KBPS, 1),
                new Withdrawal("offer-1", Fixtures.PROVIDER, Fixtures.T0 + 5),
                new Request("req-1", Fixtures.BUYER, BuyerType.PERSONAL, ResourceType.BANDWIDTH_KBPS, 2_000,
                        Fixtures.T0, Fixtures.T0 + Fixtures.HOUR, 3, 120),
                new RequestAnswer("req-1", Fixtures.PROVIDER, "offer-1"),
                new RequestAnswer("req-1", Fixtures.PROVIDER, null),
                contract,
                operator.build(),
                new Validation(contract.hash(), "validator-1", true, ""),
                new Validation(contract.hash(), "validator-ü", false, "fee wrong — 料金 🙂"),
                new ExecutionResult("contract-1", Termination.BUYER_EARLY, Fixtures.T0 + 20 * 60_000L, 600_000, 41_667),
                new Allocation("contract-1", "bs-1", true, "", Fixtures.T0 + 1),
                new Allocation("contract-1", "bs-1", false, "no relay capacity on cell 7", Fixtures.T0 + 2));
    }

    @ParameterizedTest
    @MethodSource("everyKind")
    void everyKindRoundTripsToEqualEntryAndSameBytes(Entry entry) {
        byte[] bytes = entry.encode();

        Entry decoded = Entry.decode(bytes);

        assertThat(decoded).isEqualTo(entry).hasSameHashCodeAs(entry);
        assertThat(decoded.encode()).isEqualTo(bytes);
        assertThat(bytes[0]).isEqualTo((byte) Canonical.FORMAT_VERSION);
        assertThat(bytes[1]).isEqualTo((byte) entry.kind().code());
        assertThat(EntryCodec.decode(bytes, entry.getClass())).isEqualTo(entry);
    }

    @ParameterizedTest
    @MethodSource("everyKind")
    void signedEnvelopeRoundTrips(Entry entry) {
        Signed<Entry> signed = Signed.sign(entry, "signer-a", Fixtures.key(1)).cosign("signer-b", Fixtures.key(2));

        byte[] bytes = signed.encode();
        Signed<Entry> decoded = Signed.decode(bytes);

        assertThat(decoded).isEqualTo(signed);
        assertThat(decoded.encode()).isEqualTo(bytes);
        assertThat(decoded.signatures()).allMatch(s -> s.verifies(entry.encode()));
    }

    @Test
    void theSameEntryAlwaysHasTheSameBytesAndHash() throws Exception {
        Contract a = Fixtures.draft().build();
        Contract b = Fixtures.draft().build();

        assertThat(a).isNotSameAs(b).isEqualTo(b);
        assertThat(a.encode()).isEqualTo(b.encode()).isEqualTo(a.encode());
        assertThat(a.hash()).isEqualTo(b.hash())
                .isEqualTo(MessageDigest.getInstance("SHA-256").digest(a.encode()));
    }

    @Test
    void aWithdrawalEncodesToTheDocumentedBytes() {
        byte[] bytes = new Withdrawal("o1", "p1", 258).encode();

        assertThat(HEX.formatHex(bytes)).isEqualTo(
                "01" + "03" + "0002" + "6f31" + "0002" + "7031" + "0000000000000102");
    }

    @Test
    void signaturesEncodeInCanonicalOrderWhateverOrderTheyWereAddedIn() {
        Offer offer = Fixtures.offer();
        Signed<Offer> ab = Signed.sign(offer, "a", Fixtures.key(1)).cosign("b", Fixtures.key(2));
        Signed<Offer> ba = Signed.sign(offer, "b", Fixtures.key(2)).cosign("a", Fixtures.key(1));

        assertThat(ab.encode()).isEqualTo(ba.encode());
        assertThat(ab.signatures()).extracting(Signature::signerId).containsExactly("a", "b");
    }

    @Test
    void signedEnvelopeWithSignaturesOutOfOrderIsRefused() {
        Signed<Offer> signed = Signed.sign(Fixtures.offer(), "a", Fixtures.key(1)).cosign("b", Fixtures.key(2));
        byte[] bytes = signed.encode();
        int signaturesAt = bytes.length - 2 * (2 + 1 + 32 + 64);
        byte[] swapped = bytes.clone();
        int one = 2 + 1 + 32 + 64;
        System.arraycopy(bytes, signaturesAt + one, swapped, signaturesAt, one);
        System.arraycopy(bytes, signaturesAt, swapped, signaturesAt + one, one);

        assertThatThrownBy(() -> Signed.decode(swapped))
                .isInstanceOf(CanonicalFormatException.class)
                .hasMessage("signature 1 is out of canonical order or a duplicate");
    }

    @Test
    void decodingAsTheWrongKindIsRefused() {
        byte[] contract = Fixtures.draft().build().encode();
        assertThatThrownBy(() -> EntryCodec.decode(contract, Offer.class))
                .isInstanceOf(CanonicalFormatException.class).hasMessage("expected Offer, found CONTRACT");
        byte[] signedContract = Fixtures.draft().signed().encode();
        assertThatThrownBy(() -> Signed.decode(signedContract, Offer.class))
                .isInstanceOf(CanonicalFormatException.class).hasMessage("expected a signed Offer, found CONTRACT");
        assertThatThrownBy(() -> Signed.decode(contract))
                .isInstanceOf(CanonicalFormatException.class)
                .hasMessage("expected the signed-entry tag 0x80, found 0x6 at byte 1");
    }

    @Test
    void trailingByteIsRefused() {
        byte[] bytes = Fixtures.offer().encode();
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);

        assertThatThrownBy(() -> Entry.decode(longer))
                .isInstanceOf(CanonicalFormatException.class)
                .hasMessage("1 trailing bytes after OFFER at byte " + bytes.length);
    }

    @Test
    void unknownKindTagIsRefused() {
        byte[] bytes = Fixtures.offer().encode();
        bytes[1] = 0x2a;

        assertThatThrownBy(() -> Entry.decode(bytes))
                .isInstanceOf(CanonicalFormatException.class).hasMessage("unknown kind tag 0x2a at byte 1");
    }

    @Test
    void unknownFormatVersionIsRefused() {
        byte[] bytes = Fixtures.offer().encode();
        bytes[0] = 2;

        assertThatThrownBy(() -> Entry.decode(bytes))
                .isInstanceOf(CanonicalFormatException.class)
                .hasMessage("unsupported format version 2 (this reader knows 1)");
    }

    @Test
    void overLongStringIsRefusedBeforeItIsRead() {
        byte[] overLong = new Canonical.Writer(1000).u8(1).code(EntryKind.WITHDRAWAL)
                .u16(ContractLimits.ID_BYTES_MAX + 1).raw(new byte[ContractLimits.ID_BYTES_MAX + 1])
                .text("providerId", "p1", 128).i64(1).toByteArray();

        assertThatThrownBy(() -> Entry.decode(overLong))
                .isInstanceOf(CanonicalFormatException.class)
                .hasMessage("offerId: length 129 exceeds 128 bytes at byte 2");
    }

    @Test
    void aLengthPointingPastTheEndIsTruncationNotAnAllocation() {
        byte[] bytes = new Canonical.Writer(100).u8(1).code(EntryKind.WITHDRAWAL).u16(100).raw(new byte[3])
                .toByteArray();

        assertThatThrownBy(() -> Entry.decode(bytes))
                .isInstanceOf(CanonicalFormatException.class)
                .hasMessage("truncated at byte 4: offerId needs 100 bytes, 3 left");
    }

    @Test
    void overLongStringIsRefusedAtConstructionToo() {
        String id = "x".repeat(ContractLimits.ID_BYTES_MAX + 1);
        assertThatThrownBy(() -> new Withdrawal(id, "p", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("offerId is 129 UTF-8 bytes, more than 128");
        // 43 three-byte characters: 43 chars but 129 bytes; the bound is on bytes.
        assertThatThrownBy(() -> new Withdrawal("€".repeat(43), "p", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("offerId is 129 UTF-8 bytes, more than 128");
    }

    @Test
    void unpairedSurrogateIsRefusedBecauseItWouldShareAnEncoding() {
        assertThatThrownBy(() -> new Withdrawal("a\uD800", "p", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("offerId has an unpaired surrogate at index 1");
    }

    @Test
    void textThatIsNotStrictUtf8IsRefused() {
        for (String bad : List.of("c0af" /* overlong '/' */, "eda080" /* encoded surrogate */, "ff", "e282")) {
            byte[] raw = HEX.parseHex(bad);
            byte[] bytes = new Canonical.Writer(100).u8(1).code(EntryKind.WITHDRAWAL).u16(raw.length).raw(raw)
                    .text("providerId", "p1", 128).i64(1).toByteArray();
            assertThatThrownBy(() -> Entry.decode(bytes)).as(bad)
                    .isInstanceOf(CanonicalFormatException.class).hasMessage("offerId: not valid UTF-8 at byte 2");
        }
    }

    @Test
    void nonCanonicalBooleanAndUnknownCodesAreRefused() {
        byte[] validation = new Validation(new byte[32], "v", true, "").encode();
        validation[2 + 32 + 3] = 2; // the approved flag after hash and "v"
        assertThatThrownBy(() -> Entry.decode(validation))
                .isInstanceOf(CanonicalFormatException.class).hasMessage("approved: boolean byte must be 0 or 1, was 2 at byte 37");

        byte[] result = new ExecutionResult("c", Termination.COMPLETED, 1, 1, 1).encode();
        result[5] = 9; // termination code after "c"
        assertThatThrownBy(() -> Entry.decode(result))
                .isInstanceOf(CanonicalFormatException.class).hasMessage("termination: unknown code 9 at byte 5");
    }

    @Test
    void wellFormedBytesWithAValueTheRecordRefusesAreRefused() {
        Offer offer = Fixtures.offer();
        byte[] bytes = offer.encode();
        int levelAt = bytes.length - 8 - 1 - 1 - 8 - 4; // i32 serviceLevel before price, two codes, amount
        bytes[levelAt + 3] = 9;

        assertThatThrownBy(() -> Entry.decode(bytes))
                .isInstanceOf(CanonicalFormatException.class).hasMessage("OFFER: serviceLevel must be 1..5, was 9");
    }

    @Test
    void oversizedInputIsRefusedBeforeDecoding() {
        assertThatThrownBy(() -> Entry.decode(new byte[ContractLimits.ENTRY_BYTES_MAX + 1]))
                .isInstanceOf(CanonicalFormatException.class).hasMessage("entry of 8193 bytes exceeds 8192");
        assertThatThrownBy(() -> Signed.decode(new byte[ContractLimits.SIGNED_BYTES_MAX + 1]))
                .isInstanceOf(CanonicalFormatException.class).hasMessageStartingWith("signed entry of ");
    }

    @ParameterizedTest
    @MethodSource("everyKind")
    void everyTruncationIsRefused(Entry entry) {
        byte[] bytes = entry.encode();
        for (int length = 0; length < bytes.length; length++) {
            byte[] truncated = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> Entry.decode(truncated)).as("first %d bytes", length)
                    .isInstanceOf(CanonicalFormatException.class);
        }
    }

    /**
     * Flip bits everywhere: the decoder either refuses with a format error, or reads a different
     * entry whose canonical bytes are exactly the mutated ones — never a crash, never a second
     * encoding of something.
     */
    @ParameterizedTest
    @MethodSource("everyKind")
    void everyMutationIsRefusedOrIsItselfCanonical(Entry entry) {
        byte[] bytes = entry.encode();
        List<String> unexpected = new ArrayList<>();
        for (int i = 0; i < bytes.length; i++) {
            for (int mask : new int[] {0x01, 0x80, 0xFF}) {
                byte[] mutated = bytes.clone();
                mutated[i] ^= (byte) mask;
                Throwable thrown = catchThrowable(() -> {
                    Entry decoded = Entry.decode(mutated);
                    assertThat(decoded.encode()).isEqualTo(mutated);
                    assertThat(decoded).isNotEqualTo(entry);
                });
                if (thrown != null && !(thrown instanceof CanonicalFormatException)) {
                    unexpected.add("byte " + i + " ^ " + mask + ": " + thrown);
                }
            }
        }
        assertThat(unexpected).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("everyKind")
    void everyTruncationOfASignedEnvelopeIsRefused(Entry entry) {
        byte[] bytes = Signed.sign(entry, "signer", Fixtures.key(1)).encode();
        for (int length = 0; length < bytes.length; length++) {
            byte[] truncated = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> Signed.decode(truncated)).as("first %d bytes", length)
                    .isInstanceOf(CanonicalFormatException.class);
        }
    }

    @Test
    void envelopeCountsAndLengthsAreCheckedAgainstTheirBounds() {
        byte[] entry = Fixtures.offer().encode();
        byte[] tooManySignatures = new Canonical.Writer(10_000).u8(1).u8(EntryCodec.SIGNED_TAG).u16(entry.length)
                .raw(entry).u8(ContractLimits.SIGNATURES_MAX + 1).toByteArray();
        assertThatThrownBy(() -> Signed.decode(tooManySignatures))
                .isInstanceOf(CanonicalFormatException.class).hasMessage("signature count 17 exceeds 16");

        byte[] entryTooLong = new Canonical.Writer(100).u8(1).u8(EntryCodec.SIGNED_TAG)
                .u16(ContractLimits.ENTRY_BYTES_MAX + 1).toByteArray();
        assertThatThrownBy(() -> Signed.decode(entryTooLong))
                .isInstanceOf(CanonicalFormatException.class).hasMessage("entry length 8193 exceeds 8192");
    }

    @Test
    void aSignedEntryRefusesDuplicateAndTooManySignatures() {
        Signed<Offer> signed = Signed.sign(Fixtures.offer(), "a", Fixtures.key(1));
        assertThatThrownBy(() -> signed.cosign("a", Fixtures.key(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("duplicate signature by a");

        Signed<Offer> many = signed;
        for (int i = 0; i < ContractLimits.SIGNATURES_MAX - 1; i++) {
            many = many.cosign("s" + i, Fixtures.key(1));
        }
        Signed<Offer> full = many;
        assertThatThrownBy(() -> full.cosign("one-more", Fixtures.key(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("17 signatures, more than 16");
        assertThat(Signed.decode(full.encode(), Offer.class)).isEqualTo(full);
    }

    @Test
    void truncatedReasonStaysValidTextWithinTheBound() {
        String reason = "é".repeat(ContractLimits.REASON_BYTES_MAX); // 2 bytes each: twice the bound
        String cut = Canonical.truncateUtf8(reason + "\uD83D", ContractLimits.REASON_BYTES_MAX);
        assertThat(Canonical.utf8Length("reason", cut)).isEqualTo(ContractLimits.REASON_BYTES_MAX);
        assertThat(Canonical.truncateUtf8("ab\uD800c", 100)).isEqualTo("ab\uFFFDc");
        assertThat(Canonical.truncateUtf8("a🙂", 4)).isEqualTo("a"); // the 4-byte emoji does not fit whole
    }
}
