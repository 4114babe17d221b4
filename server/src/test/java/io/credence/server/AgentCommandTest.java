package io.credence.server;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code credence agent}: the agent's own command line, help included, with its exit code. */
class AgentCommandTest {
    @Test
    void helpOfTheAgentsCommandsIsPrintedAndExitsZero() {
        for (String[] args : new String[][] {{"agent", "--help"}, {"agent", "run", "--help"}, {"agent", "status", "--help"}}) {
            CommandLineRunner.Run help = CommandLineRunner.run(args);
            assertThat(help.exitCode()).as(String.join(" ", args) + ": " + help.err()).isZero();
            assertThat(help.out()).as(String.join(" ", args)).contains("usage: credence agent run --server URL")
                    .contains("credence agent status --db FILE");
        }
        CommandLineRunner.Run bad = CommandLineRunner.run("agent", "run", "--colour", "red");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("error: --colour: unknown option").contains("try: credence agent --help");
    }
}
