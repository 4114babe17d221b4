package io.credence.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a tool the interoperability tests drive is installed here. A tool is named as the tests
 * and {@code .ci/run} name it: a program on the PATH ({@code "tshark"}), or a program and a module
 * it loads ({@code "kamailio:ims_charging"}, {@code "freeDiameterd:dict_dcca"}), since the program
 * alone starts but cannot do what the test needs.
 */
public final class Tools {
    /** Where Debian and a source build put freeDiameter's extensions; freeDiameterd cannot be asked. */
    private static final List<Path> FREE_DIAMETER_EXTENSION_DIRS = List.of(Path.of("/usr/lib/freeDiameter"),
            Path.of("/usr/lib/x86_64-linux-gnu/freeDiameter"), Path.of("/usr/local/lib/freeDiameter"));
    private static final Pattern KAMAILIO_MODULES = Pattern.compile("Default paths to modules: (\\S+)");
    /** The Debian package that brings each tool: what a skipped test tells its reader to install. */
    private static final Map<String, String> DEBIAN_PACKAGES = Map.of("tshark", "tshark", "dumpcap", "tshark",
            "text2pcap", "tshark", "freeDiameterd", "freediameterd", "kamailio", "kamailio", "sipp", "sip-tester",
            "erlc", "erlang-base", "escript", "erlang-base", "chromium", "chromium", "chromedriver", "chromium-driver");
    private static final Map<String, String> DEBIAN_MODULE_PACKAGES = Map.of("freeDiameterd", "freediameter-extensions",
            "kamailio", "kamailio-ims-modules", "erlc", "erlang-asn1");

    private Tools() {}

    public static boolean installed(String tool) {
        int colon = tool.indexOf(':');
        if (colon < 0) {
            return onPath(tool);
        }
        String program = tool.substring(0, colon);
        String module = tool.substring(colon + 1);
        if (!onPath(program)) {
            return false;
        }
        return switch (program) {
            case "kamailio" -> kamailioModules().filter(dir -> Files.isRegularFile(dir.resolve(module + ".so"))).isPresent();
            case "freeDiameterd" -> freeDiameterExtensions(module).isPresent();
            case "erlc" -> erlangApplication(module);
            default -> throw new IllegalArgumentException("no way to look for modules of " + program + " (" + tool + ")");
        };
    }

    /** Whether Erlang/OTP has the application {@code name} (asn1 comes in a package of its own on Debian). */
    static boolean erlangApplication(String name) {
        if (!onPath("erl") || !name.matches("[a-z0-9_]+")) {
            return false;
        }
        try {
            Process p = new ProcessBuilder("erl", "-noshell", "-eval", "halt(case code:lib_dir(" + name
                    + ") of {error, _} -> 1; _ -> 0 end).").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The directory holding freeDiameter's extension {@code name} ({@code name.fdx}), if one does. */
    public static Optional<Path> freeDiameterExtensions(String name) {
        return FREE_DIAMETER_EXTENSION_DIRS.stream().filter(dir -> Files.isReadable(dir.resolve(name + ".fdx")))
                .findFirst();
    }

    /** Kamailio's module directory, as {@code kamailio -I} prints it; empty without Kamailio. */
    public static Optional<Path> kamailioModules() {
        if (!onPath("kamailio")) {
            return Optional.empty();
        }
        try {
            Process p = new ProcessBuilder("kamailio", "-I").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            Matcher m = KAMAILIO_MODULES.matcher(out);
            return m.find() ? Optional.of(Path.of(m.group(1))) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** "Debian: apt-get install ..." for the tools, or nothing where a tool's package is not known. */
    static String installHint(Collection<String> tools) {
        Set<String> packages = new LinkedHashSet<>();
        for (String tool : tools) {
            int colon = tool.indexOf(':');
            String pkg = colon < 0 ? DEBIAN_PACKAGES.get(tool) : DEBIAN_MODULE_PACKAGES.get(tool.substring(0, colon));
            if (pkg == null) {
                return "";
            }
            packages.add(pkg);
        }
        return "Debian: apt-get install " + String.join(" ", packages) + "; .ci/run installs them";
    }

    static boolean onPath(String program) {
        return locate(program).isPresent();
    }

    /** Where {@code program} is on the PATH, the first as a shell would find it; empty if nowhere. */
    public static Optional<Path> locate(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return Optional.of(Path.of(dir, program));
            }
        }
        return Optional.empty();
    }
}
