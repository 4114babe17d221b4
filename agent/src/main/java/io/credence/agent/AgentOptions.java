package io.credence.agent;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The agent's command line, parsed by hand (the agent depends on the JDK and SQLite only). Every
 * error names the option it is about.
 */
final class AgentOptions {
    static final String API_KEY_ENVIRONMENT = "CREDENCE_API_KEY";
    static final String SIM_SECRET_ENVIRONMENT = "CREDENCE_SIM_SECRET";
    /** A secret file holds one line; anything longer is not a key. */
    private static final long SECRET_FILE_BYTES_MAX = 4096;
    static final long USE_BYTES_PER_SECOND_DEFAULT = 10_000;

    static final String USAGE = """
            usage: credence agent run --server URL --api-key KEY --sim ID --sim-secret S --device ID --db FILE
                                      [--interval-ms 1000] [--renew-at 0.8] [--grant-bytes 1000000]
                                      [--timeout-ms 10000] [--use-bytes-per-second 10000]
                                      [--duration-seconds D] [--drain]
                   credence agent status --db FILE
                   credence agent [run|status] --help
              run     runs the agent for a terminal using N bytes a second (until D seconds or SIGTERM),
                      printing one status line per interval; --drain returns the grant at the end.
                      --api-key and --sim-secret may instead come from a file (--api-key-file,
                      --sim-secret-file) or $CREDENCE_API_KEY / $CREDENCE_SIM_SECRET (keeps them out of ps).
              status  prints the status kept in the database, without the network.""";

    private static final Set<String> RUN_VALUES = Set.of("--server", "--api-key", "--api-key-file", "--sim",
            "--sim-secret", "--sim-secret-file", "--device",
            "--db", "--interval-ms", "--renew-at", "--grant-bytes", "--timeout-ms", "--use-bytes-per-second",
            "--duration-seconds");
    private static final Set<String> RUN_FLAGS = Set.of("--drain");
    private static final Set<String> STATUS_VALUES = Set.of("--db");

    private AgentOptions() {}

    sealed interface Command permits Run, Status, Help, Invalid {}

    /** @param duration null: until SIGTERM */
    record Run(AgentConfig config, long useBytesPerSecond, Duration duration, boolean drain) implements Command {}

    record Status(Path database) implements Command {}

    record Help() implements Command {}

    record Invalid(String option, String reason) implements Command {
        String message() {
            return "error: " + option + ": " + reason;
        }
    }

    /** Thrown inside the parser only, to leave at the first error; callers get {@link Invalid}. */
    private static final class Refusal extends Exception {
        final Invalid invalid;

        Refusal(String option, String reason) {
            super(option + ": " + reason, null, false, false);
            this.invalid = new Invalid(option, reason);
        }
    }

    static Command parse(List<String> args, Map<String, String> environment) {
        if (args.isEmpty()) {
            return new Invalid("command", "missing: expected run or status (or --help)");
        }
        if (args.size() > 1 && (args.contains("--help") || args.contains("-h"))) {
            // "run --help" asks for help, wherever it stands among the options: nothing is checked
            return new Help();
        }
        try {
            return switch (args.getFirst()) {
                case "run" -> run(options(args.subList(1, args.size()), RUN_VALUES, RUN_FLAGS), environment);
                case "status" -> status(options(args.subList(1, args.size()), STATUS_VALUES, Set.of()));
                case "--help", "-h", "help" -> new Help();
                default -> new Invalid("command", "unknown command '" + args.getFirst() + "': expected run or status");
            };
        } catch (Refusal refusal) {
            return refusal.invalid;
        }
    }

    /** Options as name -> value ("" for flags); --name value and --name=value both work. */
    private static Map<String, String> options(List<String> args, Set<String> withValue, Set<String> flags)
            throws Refusal {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw new Refusal(arg, "unexpected argument (options start with --)");
            }
            int equals = arg.indexOf('=');
            String name = equals < 0 ? arg : arg.substring(0, equals);
            String value;
            if (flags.contains(name)) {
                if (equals >= 0) {
                    throw new Refusal(name, "is a flag and takes no value");
                }
                value = "";
            } else if (withValue.contains(name)) {
                if (equals >= 0) {
                    value = arg.substring(equals + 1);
                } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                    value = args.get(++i);
                } else {
                    throw new Refusal(name, "needs a value");
                }
            } else {
                throw new Refusal(name, "unknown option");
            }
            if (options.putIfAbsent(name, value) != null) {
                throw new Refusal(name, "given twice");
            }
        }
        return options;
    }

    private static Run run(Map<String, String> options, Map<String, String> environment) throws Refusal {
        URI server = server(required(options, "--server"));
        String apiKey = secret(options, "--api-key", environment, API_KEY_ENVIRONMENT).strip();
        if (!Registration.isHeaderSafe(apiKey, AgentConfig.API_KEY_CHARS_MAX)) {
            throw new Refusal("--api-key", "must be 1.." + AgentConfig.API_KEY_CHARS_MAX + " visible ASCII characters");
        }
        String sim = required(options, "--sim");
        if (!AgentConfig.isValidSimId(sim)) {
            throw new Refusal("--sim", "must be 1.." + AgentConfig.SIM_ID_CHARS_MAX
                    + " of A-Z a-z 0-9 - _ ., was '" + sim + "'");
        }
        String simSecret = secret(options, "--sim-secret", environment, SIM_SECRET_ENVIRONMENT);
        if (simSecret.length() > AgentConfig.TEXT_CHARS_MAX) {
            throw new Refusal("--sim-secret", "longer than " + AgentConfig.TEXT_CHARS_MAX + " characters");
        }
        String device = text(options, "--device", AgentConfig.DEVICE_ID_CHARS_MAX);
        Path db = Path.of(required(options, "--db"));
        Path directory = db.toAbsolutePath().getParent();
        if (directory != null && !Files.isDirectory(directory)) {
            throw new Refusal("--db", "directory " + directory + " does not exist");
        }
        if (Files.isDirectory(db)) {
            throw new Refusal("--db", db + " is a directory, not a database file");
        }
        long intervalMillis = whole(options, "--interval-ms", 1000, 1, Long.MAX_VALUE / 1_000_000);
        double renewAt = fraction(options, "--renew-at", AgentConfig.RENEW_AT_FRACTION_DEFAULT);
        long grantBytes = whole(options, "--grant-bytes", AgentConfig.GRANT_BYTES_DEFAULT, 1, Long.MAX_VALUE);
        long timeoutMillis = whole(options, "--timeout-ms", AgentConfig.REQUEST_TIMEOUT_DEFAULT.toMillis(), 1,
                Long.MAX_VALUE / 1_000_000);
        long useBytesPerSecond = whole(options, "--use-bytes-per-second", USE_BYTES_PER_SECOND_DEFAULT, 0,
                Long.MAX_VALUE);
        Duration duration = options.containsKey("--duration-seconds")
                ? Duration.ofSeconds(whole(options, "--duration-seconds", 0, 1, Long.MAX_VALUE / 1_000_000_000))
                : null;
        AgentConfig config = new AgentConfig(server, apiKey, sim, simSecret, device, db,
                Duration.ofMillis(intervalMillis), renewAt, grantBytes, Duration.ofMillis(timeoutMillis));
        return new Run(config, useBytesPerSecond, duration, options.containsKey("--drain"));
    }

    /**
     * A secret from {@code --name}, {@code --name-file} (its one line) or the environment, in that
     * order of preference for the last two: the file and the environment keep it out of ps.
     */
    private static String secret(Map<String, String> options, String name, Map<String, String> environment,
                                 String variable) throws Refusal {
        String direct = options.get(name);
        String file = options.get(name + "-file");
        if (direct != null && file != null) {
            throw new Refusal(name, "give " + name + " or " + name + "-file, not both");
        }
        if (direct != null) {
            if (direct.isEmpty()) {
                throw new Refusal(name, "must not be empty");
            }
            return direct;
        }
        if (file != null) {
            try {
                Path path = Path.of(file);
                if (Files.size(path) > SECRET_FILE_BYTES_MAX) {
                    throw new Refusal(name + "-file", file + " is larger than " + SECRET_FILE_BYTES_MAX + " bytes");
                }
                String line = Files.readString(path).lines().findFirst().orElse("");
                if (line.isEmpty()) {
                    throw new Refusal(name + "-file", file + " is empty");
                }
                return line;
            } catch (java.nio.file.NoSuchFileException missing) {
                throw new Refusal(name + "-file", "no such file: " + file);
            } catch (java.io.IOException | java.nio.file.InvalidPathException unreadable) {
                throw new Refusal(name + "-file", "cannot read " + file + ": " + unreadable.getMessage());
            }
        }
        String fromEnvironment = environment.get(variable);
        if (fromEnvironment == null || fromEnvironment.isBlank()) {
            throw new Refusal(name, "required (or " + name + "-file FILE, or set " + variable + ")");
        }
        return fromEnvironment;
    }

    private static Status status(Map<String, String> options) throws Refusal {
        Path db = Path.of(required(options, "--db"));
        if (!Files.isRegularFile(db)) {
            throw new Refusal("--db", "no such file: " + db);
        }
        return new Status(db);
    }

    private static String required(Map<String, String> options, String name) throws Refusal {
        String value = options.get(name);
        if (value == null) {
            throw new Refusal(name, "required");
        }
        if (value.isEmpty()) {
            throw new Refusal(name, "must not be empty");
        }
        return value;
    }

    private static String text(Map<String, String> options, String name, int charsMax) throws Refusal {
        String value = required(options, name);
        if (value.length() > charsMax) {
            throw new Refusal(name, "longer than " + charsMax + " characters");
        }
        return value;
    }

    private static URI server(String text) throws Refusal {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new Refusal("--server", "not a URL: " + e.getMessage());
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new Refusal("--server", "must be an http(s) URL with a host, was '" + text + "'");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new Refusal("--server", "must not have a query or fragment, was '" + text + "'");
        }
        return uri;
    }

    private static long whole(Map<String, String> options, String name, long fallback, long min, long max)
            throws Refusal {
        String text = options.get(name);
        if (text == null) {
            return fallback;
        }
        long value;
        try {
            value = Long.parseLong(text.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new Refusal(name, "not a whole number: '" + text + "'");
        }
        if (value < min || value > max) {
            throw new Refusal(name, "must be " + min + ".." + max + ", was " + value);
        }
        return value;
    }

    private static double fraction(Map<String, String> options, String name, double fallback) throws Refusal {
        String text = options.get(name);
        if (text == null) {
            return fallback;
        }
        double value;
        try {
            value = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new Refusal(name, "not a number: '" + text + "'");
        }
        if (!(value > 0 && value <= 1)) {
            throw new Refusal(name, "must be > 0 and <= 1, was " + text);
        }
        return value;
    }
}
