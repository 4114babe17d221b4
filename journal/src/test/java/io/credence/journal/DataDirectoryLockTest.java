package io.credence.journal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.credence.journal.JournalTestSupport.applyAccepted;
import static io.credence.journal.JournalTestSupport.create;
import static io.credence.journal.JournalTestSupport.moneyTotal;
import static io.credence.journal.JournalTestSupport.topUp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** One data directory, one ledger: the LOCK file keeps a second one out, in this process or another. */
class DataDirectoryLockTest {
    final JournalTestSupport support = new JournalTestSupport();

    @TempDir
    Path dir;

    @AfterEach
    void nothingFatal() {
        assertThat(support.fatal).isEmpty();
    }

    @Test
    void aSecondOpenInTheSameProcessFailsWithAClearIOException() throws Exception {
        try (DurableEngine first = support.open(dir)) {
            applyAccepted(first, create("c-alice", "alice"));

            Throwable refused = catchThrowable(() -> support.open(dir).close());

            assertThat(refused).isInstanceOf(IOException.class).hasMessageContaining(dir.toString());
            applyAccepted(first, topUp("t-1", "alice", 5));
            assertThat(moneyTotal(first, "alice")).isEqualTo(5);
        }
        try (DurableEngine again = support.open(dir)) {
            assertThat(moneyTotal(again, "alice")).isEqualTo(5);
        }
    }

    /**
     * Another process is refused while the directory is open, also after this process itself was
     * refused a second open (on POSIX, closing any descriptor of the LOCK file drops the process's
     * lock, so a careless refusal path would silently unlock the directory).
     */
    @Test
    void anotherProcessIsRefusedWhileTheDirectoryIsOpen() throws Exception {
        try (DurableEngine first = support.open(dir)) {
            catchThrowable(() -> support.open(dir).close()); // an in-process attempt, refused or not
            ProbeResult probe = probe(dir);
            assertThat(probe.exitCode()).as("probe said: %s", probe.output())
                    .isEqualTo(DataDirectoryLockProbe.REFUSED);
            assertThat(probe.output()).contains(dir.toString())
                    .as("the refusal names the holder's PID, which it wrote into LOCK")
                    .contains("process " + ProcessHandle.current().pid());
            applyAccepted(first, create("c-alice", "alice"));
        }
        ProbeResult afterClose = probe(dir);
        assertThat(afterClose.exitCode()).as("probe said: %s", afterClose.output())
                .isEqualTo(DataDirectoryLockProbe.OPENED);
    }

    @Test
    void closeTwiceIsHarmless() throws Exception {
        DurableEngine ledger = support.open(dir);
        applyAccepted(ledger, create("c-alice", "alice"));
        ledger.close();
        assertThat(catchThrowable(ledger::close)).as("second close()").isNull();
        assertThat(ledger.submit(create("c-bob", "bob"))).isInstanceOf(Submission.Stopped.class);
    }

    record ProbeResult(int exitCode, String output) {}

    private static ProbeResult probe(Path dir) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                DataDirectoryLockProbe.class.getName(), dir.toString()))
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new ProbeResult(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
