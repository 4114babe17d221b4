package io.credence.http;

import java.util.Map;

/** What a capability's routes give back; {@link ProvisioningApi} turns it into a response. */
sealed interface Answer {
    record Json(int status, Map<String, Object> body) implements Answer {}

    record Failed(Problem problem) implements Answer {}
}
