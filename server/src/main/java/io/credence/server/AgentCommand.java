package io.credence.server;

import io.credence.agent.AgentMain;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code credence agent ...}: the device quota agent's own command line ({@link AgentMain}), so
 * the server's jar can run an agent too. The agent parses its options itself (it depends on the
 * JDK and SQLite only, not picocli), so everything after {@code agent} is passed on unchanged.
 */
@Command(name = "agent", description = "Run the device quota agent (credence agent run --help).",
        mixinStandardHelpOptions = false)
final class AgentCommand implements Runnable {
    @CommandLine.Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public void run() {
        try {
            AgentMain.main(args.toArray(String[]::new));
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
