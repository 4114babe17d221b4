package io.credence.testkit;

import org.junit.jupiter.api.Assumptions;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The tools this machine must have, so that a test needing one fails instead of being skipped:
 * {@code .ci/run} installs them and names them in {@value #VARIABLE} (blank- or comma-separated),
 * so an interoperability test can never quietly drop out of CI. The JUnit configuration parameter
 * (or system property) {@value #PARAMETER} adds to the list. A required program requires the
 * modules of it that a test names too: {@code kamailio} covers {@code kamailio:ims_charging}.
 */
public final class RequiredTools {
    public static final String VARIABLE = "CREDENCE_REQUIRED_TOOLS";
    public static final String PARAMETER = "credence.requiredTools";

    private RequiredTools() {}

    /** What the environment and {@code parameter} (the configuration parameter's value, if set) require. */
    static Set<String> required(Optional<String> parameter) {
        Set<String> all = new LinkedHashSet<>(parse(System.getenv(VARIABLE)));
        parameter.ifPresent(list -> all.addAll(parse(list)));
        return all;
    }

    static Set<String> parse(String list) {
        Set<String> tools = new LinkedHashSet<>();
        if (list != null) {
            Arrays.stream(list.split("[\\s,]+")).filter(t -> !t.isEmpty()).forEach(tools::add);
        }
        return tools;
    }

    static boolean covers(Set<String> required, String tool) {
        int colon = tool.indexOf(':');
        return required.contains(tool) || colon > 0 && required.contains(tool.substring(0, colon));
    }

    /**
     * For what only running a tool shows (dumpcap may lack the right to capture): returns when
     * {@code usable}; otherwise skips the calling test, saying {@code why}, or fails it where the
     * tool is required.
     */
    public static void assumeUsable(String tool, boolean usable, String why) {
        assumeUsable(required(Optional.ofNullable(System.getProperty(PARAMETER))), tool, usable, why);
    }

    static void assumeUsable(Set<String> required, String tool, boolean usable, String why) {
        if (usable) {
            return;
        }
        if (covers(required, tool)) {
            throw new AssertionError(tool + " is required here (" + VARIABLE + ") but not usable: " + why);
        }
        Assumptions.abort(why);
    }
}
