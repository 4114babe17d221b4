package io.credence.http;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The role table, row by row, including encoded segments. */
class AccessPolicyTest {
    private static Set<Role> allowed(String method, String path) {
        AccessPolicy.Rule rule = AccessPolicy.rule(method, path);
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (Role role : Role.values()) {
            if (AccessPolicy.admits(rule, role)) {
                roles.add(role);
            }
        }
        return roles;
    }

    @Test
    void theTable() {
        for (String open : new String[] {"/health", "/health/live", "/health/ready", "/metrics", "/openapi.json"}) {
            assertThat(AccessPolicy.rule("GET", open)).isInstanceOf(AccessPolicy.Rule.Public.class);
        }
        assertThat(AccessPolicy.rule("GET", "/metrics/x")).isNotInstanceOf(AccessPolicy.Rule.Public.class);
        assertThat(allowed("GET", "/v1/accounts/a")).containsExactlyInAnyOrder(Role.ADMIN, Role.READ_ONLY,
                Role.NETWORK_FUNCTION);
        assertThat(allowed("HEAD", "/v1/ledger")).containsExactlyInAnyOrder(Role.ADMIN, Role.READ_ONLY,
                Role.NETWORK_FUNCTION);
        for (String method : new String[] {"POST", "PATCH", "DELETE", "PUT"}) {
            assertThat(allowed(method, "/v1/accounts/a/topups")).containsExactly(Role.ADMIN);
            assertThat(allowed(method, "/nchf-convergedcharging/v3/chargingdata")).containsExactlyInAnyOrder(Role.NETWORK_FUNCTION,
                    Role.ADMIN);
            assertThat(allowed(method, "/v1/devices/d1/usage")).containsExactlyInAnyOrder(Role.DEVICE, Role.ADMIN);
        }
        assertThat(allowed("GET", "/v1/devices")).containsExactlyInAnyOrder(Role.DEVICE, Role.ADMIN);
        // a quote is a POST that changes nothing; checking or putting a catalog is an admin's
        assertThat(allowed("POST", "/v1/catalog/quote")).containsExactlyInAnyOrder(Role.ADMIN, Role.READ_ONLY,
                Role.NETWORK_FUNCTION);
        assertThat(allowed("POST", "/v1/catalog/%71uote")).containsExactlyInAnyOrder(Role.ADMIN, Role.READ_ONLY,
                Role.NETWORK_FUNCTION);
        assertThat(allowed("PUT", "/v1/catalog/quote")).containsExactly(Role.ADMIN);
        assertThat(allowed("POST", "/v1/catalog/check")).containsExactly(Role.ADMIN);
        assertThat(allowed("POST", "/v1/catalog/quote/x")).containsExactly(Role.ADMIN);
        assertThat(allowed("GET", "/v1/%64evices/d1")).containsExactlyInAnyOrder(Role.DEVICE, Role.ADMIN);
        assertThat(allowed("POST", "/%6Echf-convergedcharging/v3/chargingdata")).containsExactlyInAnyOrder(
                Role.NETWORK_FUNCTION, Role.ADMIN);
        assertThat(allowed("GET", "/v1%2Fdevices/d1")).containsExactly(Role.ADMIN);
        assertThat(allowed("GET", "/v1/%zz")).containsExactlyInAnyOrder(Role.ADMIN, Role.READ_ONLY, Role.NETWORK_FUNCTION);
        assertThat(allowed("GET", "/anything-else")).containsExactly(Role.ADMIN);
        assertThat(allowed("GET", "/")).containsExactly(Role.ADMIN);
    }
}
