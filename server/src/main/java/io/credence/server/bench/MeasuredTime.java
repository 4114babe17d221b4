package io.credence.server.bench;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --seconds} (alias {@code --duration}) and {@code --warmup}: how long an HTTP load
 * generator measures, after how long a warm-up; a picocli mixin, so each generator parses them
 * alike and names the option when a value is no time.
 */
public final class MeasuredTime {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec mixee;

    @Option(names = {"--seconds", "--duration"}, paramLabel = "D", defaultValue = "30s",
            description = "measured time: seconds, or with a unit (500ms, 30s, 2m), default ${DEFAULT-VALUE}")
    String measured;

    @Option(names = "--warmup", paramLabel = "D", defaultValue = "5s",
            description = "load before measuring (counted apart), default ${DEFAULT-VALUE}")
    String warmup;

    /** The measured time, more than 0. */
    long measuredNanos() {
        long nanos = Durations.nanos(measured);
        if (nanos <= 0) {
            throw new CommandLine.ParameterException(mixee.commandLine(),
                    "--seconds must be a time above 0 such as 30, 30s, 500ms or 2m, was '" + measured + "'");
        }
        return nanos;
    }

    long warmupNanos() {
        long nanos = Durations.nanos(warmup);
        if (nanos < 0) {
            throw new CommandLine.ParameterException(mixee.commandLine(),
                    "--warmup must be a time such as 30, 30s, 500ms or 2m, was '" + warmup + "'");
        }
        return nanos;
    }
}
