package io.credence.devices;

/** What creating a SIM came to ({@link DeviceQuota#provisionSim}). */
public sealed interface SimProvisioning {
    /** @param again the SIM existed exactly so (same account and secret): a retried create */
    record Created(String simId, String accountId, boolean again) implements SimProvisioning {}

    /** The SIM exists with another account or secret; creating it again changes nothing. */
    record Exists(String simId, String accountId) implements SimProvisioning {}

    record UnknownAccount(String accountId) implements SimProvisioning {}

    record Invalid(String field, String detail) implements SimProvisioning {}
}
