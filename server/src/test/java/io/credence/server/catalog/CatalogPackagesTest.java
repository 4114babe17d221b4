package io.credence.server.catalog;

import io.credence.ledger.Unit;
import io.credence.rating.Catalog;
import io.credence.rating.ProductPackage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The catalog file's {@code packages} section: read into the catalog, and a bad entry refused naming its place. */
class CatalogPackagesTest {
    @TempDir
    Path dir;

    @Test
    void theExampleSellsADataAndAVoicePackage() throws Exception {
        Catalog catalog = CatalogFile.read(CatalogFileTest.EXAMPLE);
        assertThat(catalog.packages().keySet()).containsExactlyInAnyOrder("data-10gb", "voice-300");
        ProductPackage data = catalog.packages().get("data-10gb");
        assertThat(data.priceMinor()).isEqualTo(999);
        assertThat(data.grants()).containsExactly(new ProductPackage.Grant(Unit.BYTES, 10_000_000_000L, 30, 10,
                Set.of(10L, 11L, 20L)));
        assertThat(catalog.packages().get("voice-300").grants().get(0).amount()).isEqualTo(18_000);
    }

    @Test
    void aCatalogWithoutPackagesSellsNone() throws Exception {
        Path file = withPackages(null);
        assertThat(CatalogFile.read(file).packages()).isEmpty();
    }

    @Test
    void aBadPackageIsRefusedNamingItsPlace() throws Exception {
        assertRefused("{\"p\": {\"price\": 1, \"buckets\": []}}", "/packages/p/buckets");
        assertRefused("{\"p\": {\"price\": -1, \"buckets\": [{\"unit\": \"BYTES\", \"amount\": 1, \"validityDays\": 1}]}}",
                "/packages/p/price");
        assertRefused("{\"p\": {\"price\": 1, \"buckets\": [{\"unit\": \"BYTES\", \"amount\": 1, \"validityDays\": 0}]}}",
                "/packages/p/buckets/0/validityDays");
        assertRefused("{\"p\": {\"price\": 1, \"buckets\": [{\"unit\": \"LITRES\", \"amount\": 1, \"validityDays\": 1}]}}",
                "/packages/p/buckets/0/unit");
        assertRefused("{\"p\": {\"price\": 1, \"buckets\": [{\"unit\": \"BYTES\", \"amount\": 1, \"validityDays\": 1,"
                + " \"ratingGroups\": [-5]}]}}", "/packages/p/buckets/0/ratingGroups/0");
    }

    private void assertRefused(String packages, String pointer) throws Exception {
        Path file = withPackages(packages);
        assertThatThrownBy(() -> CatalogFile.read(file)).isInstanceOf(CatalogFile.Invalid.class)
                .hasMessageContaining(pointer);
    }

    private Path withPackages(String packages) throws Exception {
        String text = Files.readString(CatalogFileTest.EXAMPLE);
        int start = text.indexOf("\"packages\"");
        int end = text.indexOf("\"admission\"");
        String replaced = text.substring(0, start) + (packages == null ? "" : "\"packages\": " + packages + ",\n  ")
                + text.substring(end);
        Path file = dir.resolve("catalog-" + Integer.toHexString(replaced.hashCode()) + ".json");
        Files.writeString(file, replaced);
        return file;
    }
}
