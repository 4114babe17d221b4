package io.credence.http;

import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The key store: digests only, every entry compared in constant time, precise refusals of bad files. */
class ApiKeysTest {
    private static final String ADMIN_KEY = "k-admin-4f1c0a9e2b7d";
    private static final String READER_KEY = "k-reader-93a7e0c15d22";

    private static ApiKeys keys() throws ApiKeys.Invalid {
        return ApiKeys.parse("keys", List.of("# who role digest", "",
                "ops admin " + ApiKeys.digestHex(ADMIN_KEY),
                "  grafana   read-only   " + ApiKeys.digestHex(READER_KEY).toUpperCase() + "  "));
    }

    @Test
    void findsTheHolderOfAKeyByItsDigestAndNobodyForOtherKeys() throws Exception {
        ApiKeys keys = keys();
        assertThat(keys.size()).isEqualTo(2);
        assertThat(keys.find(ADMIN_KEY)).contains(new ApiKeys.Holder("ops", Role.ADMIN));
        assertThat(keys.find(READER_KEY)).contains(new ApiKeys.Holder("grafana", Role.READ_ONLY));
        assertThat(keys.find(ADMIN_KEY + "x")).isEmpty();
        assertThat(keys.find(ApiKeys.digestHex(ADMIN_KEY))).as("the digest is not the key").isEmpty();
        assertThat(keys.find("")).isEmpty();
        assertThat(keys.find(null)).isEmpty();
        assertThat(keys.find("x".repeat(ApiKeys.KEY_CHARS_MAX + 1))).isEmpty();
        assertThat(ApiKeys.digestHex("test"))
                .isEqualTo("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    }

    @Test
    void comparesEveryEntryInConstantTimeOnEqualLengthDigests() throws Exception {
        ApiKeys keys = keys();
        for (String presented : List.of(ADMIN_KEY, READER_KEY, "wrong", "w".repeat(200))) {
            List<int[]> lengths = new ArrayList<>();
            Optional<ApiKeys.Holder> found = keys.find(presented, (stored, given) -> {
                lengths.add(new int[] {stored.length, given.length});
                return MessageDigest.isEqual(stored, given);
            });
            // no early exit on a match, and never a comparison of unequal lengths
            assertThat(lengths).as(presented).hasSize(keys.size()).allMatch(l -> l[0] == 32 && l[1] == 32);
            assertThat(found.isPresent()).isEqualTo(presented.equals(ADMIN_KEY) || presented.equals(READER_KEY));
        }
    }

    @Test
    void badFilesAreRefusedNamingTheLine() {
        assertThatThrownBy(() -> ApiKeys.parse("f", List.of("ops admin secret-in-clear")))
                .hasMessageContaining("f:1:").hasMessageContaining("SHA-256");
        assertThatThrownBy(() -> ApiKeys.parse("f", List.of("ops root " + "a".repeat(64))))
                .hasMessageContaining("role must be one of [admin, network-function, device, read-only]");
        assertThatThrownBy(() -> ApiKeys.parse("f", List.of("a admin " + "a".repeat(64), "a read-only " + "b".repeat(64))))
                .hasMessageContaining("f:2:").hasMessageContaining("unique");
        assertThatThrownBy(() -> ApiKeys.parse("f", List.of("a admin " + "a".repeat(64), "b read-only " + "A".repeat(64))))
                .hasMessageContaining("listed twice");
        assertThatThrownBy(() -> ApiKeys.parse("f", List.of("# only a comment"))).hasMessageContaining("no keys");
        assertThatThrownBy(() -> ApiKeys.parse("f", List.of("a admin"))).hasMessageContaining("expected 'name role sha256hex [principal]'");
    }

    @Test
    void aNetworkFunctionKeyMayBeBoundToOneOperatorOrBaseStation() throws Exception {
        ApiKeys keys = ApiKeys.parse("keys", List.of(
                "telco-oss network-function " + ApiKeys.digestHex("k-telco") + " operator:telco",
                "bs-17 network-function " + ApiKeys.digestHex("k-bs") + " base-station:bs-17",
                "smf-1 network-function " + ApiKeys.digestHex("k-smf")));
        assertThat(keys.find("k-telco")).contains(new ApiKeys.Holder("telco-oss", Role.NETWORK_FUNCTION,
                new ApiKeys.Principal(ApiKeys.Principal.Kind.OPERATOR, "telco")));
        assertThat(keys.find("k-bs").orElseThrow().principal()).hasToString("base-station:bs-17");
        assertThat(keys.find("k-smf").orElseThrow().principal()).as("an old three-field line").isNull();

        String digest = " " + "a".repeat(64) + " ";
        assertThatThrownBy(() -> ApiKeys.parse("f", List.of("ops admin" + digest + "operator:telco")))
                .hasMessageContaining("f:1:").hasMessageContaining("only a network-function key is bound to a principal");
        assertThatThrownBy(() -> ApiKeys.parse("f", List.of("phones device" + digest + "base-station:bs-1")))
                .hasMessageContaining("only a network-function key");
        assertThatThrownBy(() -> ApiKeys.parse("f", List.of("x network-function" + digest + "telco")))
                .hasMessageContaining("'operator:ACCOUNT' or 'base-station:ID', was 'telco'");
        assertThatThrownBy(() -> ApiKeys.parse("f", List.of("x network-function" + digest + "sim:sim-1")))
                .hasMessageContaining("'operator:ACCOUNT' or 'base-station:ID'");
        assertThatThrownBy(() -> ApiKeys.parse("f", List.of("x network-function" + digest + "operator:..")))
                .hasMessageContaining("the principal's operator id must not be '..'");
        assertThatThrownBy(() -> ApiKeys.parse("f", List.of("x network-function" + digest + "base-station:")))
                .hasMessageContaining("the principal's base-station id must be 1..64");
        assertThatThrownBy(() -> ApiKeys.parse("f", List.of("x network-function" + digest + "operator:a extra")))
                .hasMessageContaining("found 5 fields");
    }
}
