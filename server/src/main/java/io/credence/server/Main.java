package io.credence.server;

import io.credence.server.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code credence}: the command line. Wiring only; each subcommand builds what it needs by hand. */
@Command(name = "credence", mixinStandardHelpOptions = true, version = "credence 0.1.0",
        description = "Credence online charging system: a durable charging ledger with HTTP provisioning.",
        subcommands = {ServeCommand.class, DemoCommand.class, AgentCommand.class, SimCommand.class, SimulateCommand.class, LedgerCommand.class, ClusterCommand.class,
                ValidatorCommand.class, ClientCommands.Account.class,
                ClientCommands.TopUp.class, SubscriberCommand.class, CatalogCommand.class, RecordsCommand.class, PlanCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /**
     * Exit codes: 0 done, 1 the server refused the request, 2 bad command line, 3 server
     * unreachable, 4 the server could not start (a port in use, the data directory held...).
     */
    public static final int EXIT_REFUSED = 1;
    public static final int EXIT_UNREACHABLE = 3;
    public static final int EXIT_CANNOT_START = 4;
    /** Set to see the stack trace of an unexpected failure (never needed for a mistake the message names). */
    static final String DEBUG_ENVIRONMENT = "CREDENCE_DEBUG";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
        System.exit(commandLine().execute(args));
    }

    /** The command line as {@code main} runs it: also what tests drive. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler((bad, args) -> {
                    // One line naming the mistake (with what was probably meant), and where to read
                    // more; not the whole usage text.
                    CommandLine cmd = bad.getCommandLine();
                    cmd.getErr().println("credence: " + Mistakes.describe(bad, args));
                    cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
                    return cmd.getCommandSpec().exitCodeOnInvalidInput();
                })
                .setExecutionExceptionHandler((failure, cmd, parsed) -> {
                    if (failure instanceof StartupFailure cannotStart) {
                        cmd.getErr().println("credence: " + cannotStart.getMessage());
                        return EXIT_CANNOT_START;
                    }
                    cmd.getErr().println("credence: " + cmd.getCommandSpec().qualifiedName() + " failed: " + failure);
                    if (System.getenv(DEBUG_ENVIRONMENT) != null) {
                        failure.printStackTrace(cmd.getErr());
                    } else {
                        cmd.getErr().println("(set " + DEBUG_ENVIRONMENT + "=1 to see where)");
                    }
                    return EXIT_CANNOT_START;
                });
    }
}
