package io.credence.journal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Collects what one logger (System.Logger goes to java.util.logging here) says while open, without
 * printing it; restores the logger on close. For tests of what the operator is told.
 */
final class LogCapture implements AutoCloseable {
    private static final SimpleFormatter FORMAT = new SimpleFormatter();

    private final Logger logger; // held: a logger nobody references may be collected with its level
    private final Level level;
    private final boolean useParentHandlers;
    final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture(String name) {
        logger = Logger.getLogger(name);
        level = logger.getLevel();
        useParentHandlers = logger.getUseParentHandlers();
        handler.setLevel(Level.ALL);
        logger.addHandler(handler);
        logger.setLevel(Level.ALL);
        logger.setUseParentHandlers(false);
    }

    static LogCapture of(Class<?> loggerOf) {
        return new LogCapture(loggerOf.getName());
    }

    /** Each record's message with its parameters filled in. */
    List<String> messages() {
        return records.stream().map(FORMAT::formatMessage).toList();
    }

    /** The messages logged at {@code level}. */
    List<String> messages(Level at) {
        return records.stream().filter(r -> r.getLevel().equals(at)).map(FORMAT::formatMessage).toList();
    }

    /** The records whose format string starts with {@code prefix}. */
    List<LogRecord> startingWith(String prefix) {
        return records.stream().filter(r -> r.getMessage() != null && r.getMessage().startsWith(prefix)).toList();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(level);
        logger.setUseParentHandlers(useParentHandlers);
    }
}
