package io.credence.journal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Run in a separate JVM by {@link DataDirectoryLockTest}: tries to open the data directory given
 * as the only argument and says how that went in its exit code.
 */
final class DataDirectoryLockProbe {
    static final int OPENED = 0;
    static final int REFUSED = 3;
    static final int FAILED_OTHERWISE = 4;

    private DataDirectoryLockProbe() {}

    public static void main(String[] args) {
        int exitCode;
        try (DurableEngine ledger = DurableEngine.open(Path.of(args[0]), JournalTestSupport.CONFIG,
                JournalTestSupport.LIMITS, System::currentTimeMillis, Throwable::printStackTrace)) {
            System.out.println("opened: " + ledger.recovery().describe());
            exitCode = OPENED;
        } catch (IOException refused) {
            System.out.println("refused: " + refused);
            exitCode = REFUSED;
        } catch (RuntimeException other) {
            System.out.println("failed otherwise: " + other);
            exitCode = FAILED_OTHERWISE;
        }
        System.exit(exitCode);
    }
}
