package io.credence.charging;

import io.credence.admission.AdmissionPolicy;
import io.credence.rating.Catalog;
import io.credence.rating.RatingEngine;

/**
 * The catalog in force: the source bytes it was installed from (journaled and snapshotted), and
 * what they mean — the rating engine built once per catalog, and the admission policy if the file
 * has one.
 */
record InstalledCatalog(byte[] source, Catalog catalog, RatingEngine rating, AdmissionPolicy admission) {
    static InstalledCatalog of(byte[] source, CatalogReader.Contents contents) {
        return new InstalledCatalog(source.clone(), contents.catalog(), new RatingEngine(contents.catalog()),
                contents.admission());
    }

    String version() {
        return catalog.version();
    }
}
