package io.credence.server;

import io.credence.server.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code credence}: the command line. Wiring only; each subcommand builds what it needs by hand. */
@Command(name = "credence", mixinStandardHelpOptions = true, version = "credence 0.1.0",
        description = "Credence online charging system: a durable charging ledger with HTTP provisioning.",
        subcommands = {ServeCommand.class, DemoCommand.class, AgentCommand.class, SimCommand.class, LedgerCommand.class,
                ValidatorCommand.class, ClientCommands.Account.class,
                ClientCommands.TopUp.class, CatalogCommand.class, RecordsCommand.class, PlanCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit codes: 0 done, 1 the server refused the request, 2 bad command line, 3 server unreachable. */
    public static final int EXIT_REFUSED = 1;
    public static final int EXIT_UNREACHABLE = 3;

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
                    // One line naming the option, and where to read more; not the whole usage text.
                    CommandLine cmd = bad.getCommandLine();
                    cmd.getErr().println("credence: " + bad.getMessage());
                    cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
                    return cmd.getCommandSpec().exitCodeOnInvalidInput();
                });
    }
}
