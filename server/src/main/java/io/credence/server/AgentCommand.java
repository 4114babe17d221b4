package io.credence.server;

import io.credence.agent.AgentMain;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code credence agent ...}: the device quota agent's own command line ({@link AgentMain}), so
 * the server's jar can run an agent too. The agent parses its options itself (it depends on the
 * JDK and SQLite only, not picocli), so everything after {@code agent} is passed on unchanged,
 * {@code --help} included (picocli's own help would only describe this wrapper), and its exit code
 * is this command's.
 */
@Command(name = "agent", description = "Run the device quota agent (credence agent run --help).",
        mixinStandardHelpOptions = false)
final class AgentCommand implements Callable<Integer> {
    @CommandLine.Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        return AgentMain.run(args.toArray(String[]::new));
    }
}
