package io.credence.market.contract;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Ed25519Test {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void signatureMadeWithAKeyVerifiesWithItsPublicKeyAndNothingElse() {
        Ed25519.KeyPair key = Ed25519.generate(new SecureRandom());
        Ed25519.KeyPair other = Ed25519.generate(new SecureRandom());
        byte[] message = "contract bytes".getBytes(StandardCharsets.UTF_8);

        byte[] signature = key.sign(message);

        assertThat(key.publicKey()).hasSize(32);
        assertThat(signature).hasSize(64);
        assertThat(Ed25519.verify(key.publicKey(), message, signature)).isTrue();
        assertThat(Ed25519.verify(other.publicKey(), message, signature)).isFalse();
        assertThat(Ed25519.verify(key.publicKey(), "contract bytez".getBytes(StandardCharsets.UTF_8), signature))
                .isFalse();
        for (int i = 0; i < signature.length; i++) {
            byte[] flipped = signature.clone();
            flipped[i] ^= 0x01;
            assertThat(Ed25519.verify(key.publicKey(), message, flipped)).as("bit flipped in byte %d", i).isFalse();
        }
    }

    @Test
    void rfc8032TestVector1IsReproducedExactly() {
        // RFC 8032 section 7.1, TEST 1: empty message.
        Ed25519.KeyPair key = Ed25519.fromSeed(HEX.parseHex(
                "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
        byte[] expectedPublic = HEX.parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        byte[] expectedSignature = HEX.parseHex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");

        assertThat(key.publicKey()).isEqualTo(expectedPublic);
        assertThat(key.sign(new byte[0])).isEqualTo(expectedSignature);
        assertThat(Ed25519.verify(expectedPublic, new byte[0], expectedSignature)).isTrue();
        assertThat(Ed25519.verify(expectedPublic, new byte[1], expectedSignature)).isFalse();
    }

    @Test
    void signingIsDeterministic() {
        Ed25519.KeyPair key = Fixtures.key(7);
        byte[] message = {1, 2, 3};
        assertThat(key.sign(message)).isEqualTo(key.sign(message));
        assertThat(Fixtures.key(7).publicKey()).isEqualTo(key.publicKey());
    }

    @Test
    void malformedInputIsFalseNeverAnException() {
        Ed25519.KeyPair key = Fixtures.key(5);
        byte[] message = {42};
        byte[] signature = key.sign(message);
        byte[] publicKey = key.publicKey();

        assertThat(Ed25519.verify(null, message, signature)).isFalse();
        assertThat(Ed25519.verify(publicKey, null, signature)).isFalse();
        assertThat(Ed25519.verify(publicKey, message, null)).isFalse();
        assertThat(Ed25519.verify(Arrays.copyOf(publicKey, 31), message, signature)).isFalse();
        assertThat(Ed25519.verify(Arrays.copyOf(publicKey, 33), message, signature)).isFalse();
        assertThat(Ed25519.verify(new byte[0], message, signature)).isFalse();
        assertThat(Ed25519.verify(publicKey, message, Arrays.copyOf(signature, 63))).isFalse();
        assertThat(Ed25519.verify(publicKey, message, Arrays.copyOf(signature, 65))).isFalse();
        assertThat(Ed25519.verify(publicKey, message, new byte[64])).isFalse();

        byte[] notAPoint = new byte[32];
        Arrays.fill(notAPoint, (byte) 0xFF); // y >= p: not a canonical encoding of any point
        assertThat(Ed25519.verify(notAPoint, message, signature)).isFalse();

        byte[] scalarTooLarge = signature.clone();
        Arrays.fill(scalarTooLarge, 32, 64, (byte) 0xFF); // S >= L must be refused (RFC 8032 5.1.7)
        assertThat(Ed25519.verify(publicKey, message, scalarTooLarge)).isFalse();
    }

    @Test
    void seedMustBe32Bytes() {
        assertThatThrownBy(() -> Ed25519.fromSeed(new byte[31]))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("seed must be 32 bytes, was 31");
    }

    @Test
    void theSeedIsNeitherShownNorSharedByTheKeyPair() {
        byte[] seed = new byte[32];
        Arrays.fill(seed, (byte) 0x5A);
        Ed25519.KeyPair key = Ed25519.fromSeed(seed);
        byte[] before = key.sign(new byte[] {1});
        seed[0] = 0; // the caller's array is copied, so this changes nothing
        assertThat(key.sign(new byte[] {1})).isEqualTo(before);
        assertThat(key.toString()).doesNotContain(HEX.formatHex(new byte[] {0x5A, 0x5A, 0x5A, 0x5A}))
                .contains(HEX.formatHex(key.publicKey()));
    }

    @Test
    void signsAndVerifiesAreCounted() {
        Ed25519.KeyPair key = Fixtures.key(6);
        long signs = Ed25519.signs();
        long verifies = Ed25519.verifies();

        byte[] signature = key.sign(new byte[] {9});
        Ed25519.verify(key.publicKey(), new byte[] {9}, signature);
        Ed25519.verify(key.publicKey(), new byte[] {9}, new byte[3]); // malformed: no curve work, not counted

        assertThat(Ed25519.signs() - signs).isEqualTo(1);
        assertThat(Ed25519.verifies() - verifies).isEqualTo(1);
    }
}
