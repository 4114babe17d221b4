package io.credence.devices;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The registry file keeps SIMs, bindings, base stations and share rules across a reopen, within its limits. */
class DeviceRegistryTest {
    @TempDir
    Path dir;

    @Test
    void everythingWrittenIsThereAfterReopening() throws Exception {
        Path file = dir.resolve("devices.db");
        try (DeviceRegistry registry = DeviceRegistry.open(file, DeviceRegistry.Limits.DEFAULTS)) {
            assertThat(registry.insertSim("sim-a", "alice", Credentials.digest("secret-of-sim-a-xx"))).isTrue();
            registry.bind("sim-a", "phone-1", Credentials.digest("token"));
            registry.putBaseStation("bs", Credentials.digest("secret-of-bs-xxxxx"));
            registry.putRules("sim-a", new ShareRules(5000L, Set.of("sim-b", "sim-c"), 7));
            registry.moveSim("sim-a", "carol", new DeviceRegistry.SimMove(77, "sim-a", "alice", "carol", 12, "ops", "m-1"));
            registry.rememberRequest("r-1", new DeviceRegistry.RememberedRequest("fp", 201, "{}"), 100, 0, 10);
        }
        try (DeviceRegistry registry = DeviceRegistry.open(file, DeviceRegistry.Limits.DEFAULTS)) {
            DeviceRegistry.Sim sim = registry.sim("sim-a").orElseThrow();
            assertThat(sim.accountId()).as("moved, with its binding").isEqualTo("carol");
            assertThat(registry.moves("sim-a", 10)).containsExactly(
                    new DeviceRegistry.SimMove(77, "sim-a", "alice", "carol", 12, "ops", "m-1"));
            assertThat(registry.rememberedRequest("r-1")).contains(new DeviceRegistry.RememberedRequest("fp", 201, "{}"));
            registry.rememberRequest("r-2", new DeviceRegistry.RememberedRequest("fp2", 200, "{}"), 200, 150, 10);
            assertThat(registry.rememberedRequest("r-1")).as("older than the retention: forgotten").isEmpty();
            assertThat(sim.deviceId()).isEqualTo("phone-1");
            assertThat(Credentials.matches("token", sim.tokenDigest())).isTrue();
            assertThat(Credentials.matches("secret-of-sim-a-xx", sim.secretDigest())).isTrue();
            assertThat(registry.baseStation("bs")).isPresent();
            assertThat(registry.rules("sim-a")).contains(new ShareRules(5000L, Set.of("sim-b", "sim-c"), 7));
        }
    }

    @Test
    void aFullTableRefusesNewEntriesAndKeepsTheOld() throws Exception {
        try (DeviceRegistry registry = DeviceRegistry.open(dir.resolve("small.db"), new DeviceRegistry.Limits(1, 1))) {
            assertThat(registry.insertSim("sim-a", "alice", Credentials.digest("secret-of-sim-a-xx"))).isTrue();
            assertThat(registry.insertSim("sim-a", "bob", Credentials.digest("another-secret-xxx")))
                    .as("an existing SIM is not replaced").isFalse();
            assertThat(registry.sim("sim-a").orElseThrow().accountId()).isEqualTo("alice");
            assertThatThrownBy(() -> registry.insertSim("sim-b", "bob", Credentials.digest("secret-of-sim-b-xx")))
                    .isInstanceOf(DeviceRegistry.Full.class).hasMessageContaining("SIM");
            assertThat(registry.sim("sim-b")).isEmpty();
            assertThat(registry.simCount()).isEqualTo(1);
        }
    }
}
