package io.credence.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine a figure was measured on, printed next to it: the figures mean little without it. */
final class Environment {
    private Environment() {}

    static String describe() {
        Runtime rt = Runtime.getRuntime();
        return "java " + System.getProperty("java.vm.version") + " (" + System.getProperty("java.vm.name") + "), "
                + rt.availableProcessors() + " cpus, max heap " + (rt.maxMemory() >> 20) + " MiB, gc "
                + gcNames() + ", jvm args " + ManagementFactory.getRuntimeMXBean().getInputArguments();
    }

    /** The 1, 5 and 15 minute load averages, as {@code uptime} prints them. */
    static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return "load " + f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "load " + ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        }
    }

    private static String gcNames() {
        StringBuilder b = new StringBuilder();
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            b.append(b.isEmpty() ? "" : "+").append(gc.getName());
        }
        return b.toString();
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
