package io.credence.server.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code credence bench}: load generators that drive a running server from outside, as its clients do. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Drive a running server with load and measure it.",
        subcommands = {DiameterBenchCommand.class, NchfBenchCommand.class, DeviceBenchCommand.class, AdmissionBenchCommand.class,
                io.credence.server.ContractBench.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say which: bench diameter or bench nchf");
    }
}
