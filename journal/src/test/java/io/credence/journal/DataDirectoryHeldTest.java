package io.credence.journal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.credence.journal.JournalTestSupport.applyAccepted;
import static io.credence.journal.JournalTestSupport.create;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * This process is refused a data directory another process holds: the refusal names the holder
 * when LOCK says who it is (and only a real PID), and leaves the directory free once the holder
 * is gone.
 */
class DataDirectoryHeldTest {
    final JournalTestSupport support = new JournalTestSupport();

    @TempDir
    Path dir;

    @AfterEach
    void nothingFatal() {
        assertThat(support.fatal).isEmpty();
    }

    private static Process hold(Path dir, String content) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process holder = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                DataDirectoryLockHolder.class.getName(), dir.toString(), content))
                .redirectErrorStream(true)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("locked");
        return holder;
    }

    private static void release(Process holder) throws Exception {
        holder.getOutputStream().close();
        assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(holder.exitValue()).isZero();
    }

    @Test
    void aDirectoryHeldByAnotherProcessIsRefusedNamingItsPid() throws Exception {
        java.nio.file.Files.createDirectories(dir);
        Process holder = hold(dir, "self");
        try {
            Throwable refused = catchThrowable(() -> support.open(dir));
            assertThat(refused).isInstanceOf(DataDirectoryInUse.class)
                    .hasMessage("data directory " + dir + " is in use by process " + holder.pid() + " (LOCK)");
            assertThat(((DataDirectoryInUse) refused).holderPid()).isEqualTo(holder.pid());
        } finally {
            release(holder);
        }
        try (DurableEngine engine = support.open(dir)) {
            applyAccepted(engine, create("c-alice", "alice"));
        }
    }

    @Test
    void aHolderThatNamesNoRealPidIsAnotherProcess() throws Exception {
        java.nio.file.Files.createDirectories(dir);
        Process holder = hold(dir, "pid 0\n");
        try {
            Throwable refused = catchThrowable(() -> support.open(dir));
            assertThat(refused).isInstanceOf(DataDirectoryInUse.class)
                    .hasMessage("data directory " + dir + " is in use by another process (LOCK)");
            assertThat(((DataDirectoryInUse) refused).holderPid()).isZero();
        } finally {
            release(holder);
        }
    }
}
