package io.credence.diameter.cc;

import io.credence.charging.CatalogReader;
import io.credence.rating.Catalog;
import io.credence.rating.CatalogException;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A catalog reader for tests that build catalogs in code: each catalog gets a source naming it,
 * and reading that source gives the catalog back (the same bytes always the same catalog, as the
 * engine needs of a reader; the server's reader parses the operator's JSON instead).
 */
final class TestCatalogs implements CatalogReader {
    private final ConcurrentHashMap<String, Catalog> byName = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger();

    byte[] sourceOf(Catalog catalog) {
        String name = "test-catalog-" + next.incrementAndGet() + "-" + catalog.version();
        byName.put(name, catalog);
        return name.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Contents read(byte[] source) {
        Catalog catalog = byName.get(new String(source, StandardCharsets.UTF_8));
        if (catalog == null) {
            throw new CatalogException("catalog", "no test catalog named " + new String(source, StandardCharsets.UTF_8));
        }
        return new Contents(catalog, null);
    }
}
