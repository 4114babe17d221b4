package io.credence.agent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The answer to {@code GET /v1/devices/{simId}/packages}: what the SIM's account can still use.
 *
 * @param availableBytes the sum the server can grant from
 */
public record PackageList(long availableBytes, List<DataPackage> packages) {
    /** Most packages read from one answer; an account holds a few dozen buckets at most. */
    static final int PACKAGES_MAX = 1024;

    public PackageList {
        if (availableBytes < 0) {
            throw new IllegalArgumentException("availableBytes must be >= 0, was " + availableBytes);
        }
        packages = List.copyOf(packages);
    }

    /** @param validUntil null when the package does not expire */
    public record DataPackage(long bucketId, String unit, long amount, long available, Instant validUntil) {
        public DataPackage {
            Objects.requireNonNull(unit, "unit");
        }
    }

    static PackageList fromJson(JsonValue.JsonObject json) throws JsonException {
        long availableBytes = json.requireNonNegative("availableBytes");
        List<JsonValue> elements = json.requireArray("packages").elements();
        if (elements.size() > PACKAGES_MAX) {
            throw new JsonException("field 'packages': " + elements.size() + " entries, more than " + PACKAGES_MAX);
        }
        List<DataPackage> packages = new ArrayList<>(elements.size());
        for (int i = 0; i < elements.size(); i++) {
            try {
                packages.add(dataPackage(elements.get(i)));
            } catch (JsonException e) {
                throw e.within("packages[" + i + "]");
            }
        }
        return new PackageList(availableBytes, packages);
    }

    private static DataPackage dataPackage(JsonValue element) throws JsonException {
        if (!(element instanceof JsonValue.JsonObject json)) {
            throw new JsonException("expected an object, found " + element.kind());
        }
        String validUntil = json.optionalString("validUntil");
        return new DataPackage(json.requireLong("bucketId"), json.requireString("unit"), json.requireLong("amount"),
                json.requireLong("available"),
                validUntil == null ? null : Grant.instant("validUntil", validUntil));
    }
}
