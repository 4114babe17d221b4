package io.credence.journal;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Run in a separate JVM by {@link DataDirectoryHeldTest}: holds the LOCK of the data directory
 * given as the first argument, with the second argument as its content ("self" for this
 * process's "pid N"), until its standard input closes.
 */
final class DataDirectoryLockHolder {
    private DataDirectoryLockHolder() {}

    public static void main(String[] args) throws Exception {
        String content = args[1].equals("self") ? "pid " + ProcessHandle.current().pid() + "\n" : args[1];
        try (FileChannel channel = FileChannel.open(Path.of(args[0]).resolve("LOCK"), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            if (lock == null) {
                System.out.println("not locked");
                return;
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(false);
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() >= 0) {
                // held until the test closes our input
            }
        }
    }
}
