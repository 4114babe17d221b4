package io.credence.server;

import io.credence.records.UsageRecord;
import io.credence.records.file.RecordReader;
import io.credence.records.file.UsageRecordFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code credence records tail|query}: reads the usage records (CDRs) the server writes to
 * {@code <data>/records}, offline, straight from the files — no running server needed.
 */
@Command(name = "records", mixinStandardHelpOptions = true, description = "Read usage records (CDRs) from the records files.",
        subcommands = {RecordsCommand.Tail.class, RecordsCommand.Query.class, CdrCommand.class})
final class RecordsCommand {
    /** Most records tail prints, and query's --limit default: output meant for a person or a pipe, not unbounded. */
    static final int TAIL_LINES_MAX = RecordReader.TAIL_MAX;
    static final long QUERY_LIMIT_DEFAULT = 10_000;
    /** How often tail -f looks for new lines: fast enough to watch, slow enough to cost nothing. */
    static final Duration FOLLOW_POLL = Duration.ofMillis(500);

    enum Format { jsonl, table }

    /** Where the records are and how to print them; shared by both subcommands. */
    static final class Source {
        @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--data", defaultValue = "./data", description = "data directory, as for serve; default ${DEFAULT-VALUE}")
        Path data;

        @Option(names = "--dir", paramLabel = "DIR", description = "records directory; default <data>/records")
        Path dir;

        @Option(names = "--format", defaultValue = "jsonl", description = "jsonl (one JSON record a line) or table; default ${DEFAULT-VALUE}")
        Format format;

        RecordReader reader() {
            Path records = dir != null ? dir : data.resolve("records");
            if (!Files.isDirectory(records)) {
                throw new CommandLine.ParameterException(spec.commandLine(), (dir != null ? "--dir " : "--data ")
                        + "has no records directory " + records);
            }
            return RecordReader.of(records, skipped -> System.err.println("credence: skipped " + skipped));
        }

        void header(PrintStream out) {
            if (format == Format.table) {
                out.printf("%-24s %-16s %-12s %6s %-8s %-13s %12s %12s %10s %-3s  %-24s %s%n", "TIME", "ACCOUNT", "SERVICE",
                        "RG", "DECISION", "UNIT", "RAW", "EFFECTIVE", "PRICE", "CUR", "SESSION", "RECORD");
            }
        }

        void print(PrintStream out, UsageRecord r) {
            switch (format) {
                case jsonl -> out.println(UsageRecordFile.toJsonString(r));
                case table -> out.printf("%-24s %-16s %-12s %6s %-8s %-13s %12d %12d %10d %-3s  %-24s %s%n",
                        Instant.ofEpochMilli(r.atMillis()), r.accountId(), r.service(),
                        r.ratingGroup() == UsageRecord.RATING_GROUP_NONE ? "-" : Long.toString(r.ratingGroup()),
                        r.decision(), r.unit(), r.rawUnits(), r.effectiveUnits(), r.price(), dash(r.currency()),
                        dash(r.sessionId()), r.recordId());
            }
        }

        private static String dash(String s) {
            return s == null ? "-" : s;
        }
    }

    @Command(name = "tail", mixinStandardHelpOptions = true,
            description = "Print the last records, oldest first; with -f keep printing new ones as they are written.")
    static final class Tail implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        Source source;

        @Option(names = {"-n", "--lines"}, defaultValue = "10", description = "how many records; default ${DEFAULT-VALUE}")
        int lines;

        @Option(names = {"-f", "--follow"}, description = "keep printing records as they are written, until interrupted")
        boolean follow;

        @Override
        public Integer call() {
            if (lines < 0 || lines > TAIL_LINES_MAX) {
                throw new CommandLine.ParameterException(spec.commandLine(), "-n must be 0.." + TAIL_LINES_MAX + ", was " + lines);
            }
            RecordReader reader = source.reader();
            PrintStream out = System.out;
            source.header(out);
            try {
                if (!follow) {
                    reader.tail(lines).forEach(r -> source.print(out, r));
                    return 0;
                }
                RecordReader.Follower follower = reader.follow(lines, r -> {
                    source.print(out, r);
                    out.flush();
                });
                try {
                    follower.run(FOLLOW_POLL);
                } catch (InterruptedException stop) {
                    // Being interrupted is how an embedding program says "stop following": a normal end.
                    Thread.currentThread().interrupt();
                }
                return 0;
            } catch (IOException | UncheckedIOException e) {
                return cannotRead(e);
            }
        }
    }

    @Command(name = "query", mixinStandardHelpOptions = true,
            description = "Print the records that match, oldest first, each record id once.")
    static final class Query implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        Source source;

        @Option(names = "--account", description = "only this account")
        String account;

        @Option(names = "--session", description = "only this session id")
        String session;

        @Option(names = "--service", description = "only this service")
        String service;

        @Option(names = "--from", converter = InstantConverter.class, description = "records at or after this time (ISO-8601, e.g. 2026-11-24T10:00:00Z)")
        Instant from;

        @Option(names = "--to", converter = InstantConverter.class, description = "records before this time (ISO-8601)")
        Instant to;

        @Option(names = "--limit", defaultValue = "" + QUERY_LIMIT_DEFAULT, description = "most records printed; default ${DEFAULT-VALUE}")
        long limit;

        @Override
        public Integer call() {
            if (limit < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be >= 1, was " + limit);
            }
            if (from != null && to != null && !from.isBefore(to)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--from must be before --to, was --from "
                        + from + " --to " + to);
            }
            RecordReader reader = source.reader();
            RecordReader.Filter filter = new RecordReader.Filter(account, session, service, from, to, limit);
            PrintStream out = System.out;
            source.header(out);
            AtomicLong printed = new AtomicLong();
            try (Stream<UsageRecord> records = reader.query(filter)) {
                records.forEach(r -> {
                    source.print(out, r);
                    printed.incrementAndGet();
                });
            } catch (IOException | UncheckedIOException e) {
                return cannotRead(e);
            }
            if (printed.get() == limit) {
                // Said on stderr so a pipe gets only records, and a person learns there may be more.
                System.err.println("credence: stopped at --limit " + limit + "; there may be more");
            }
            return 0;
        }
    }

    /** ISO-8601 instants, with a zone or offset: a bare local time would mean different things on different hosts. */
    static final class InstantConverter implements CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return OffsetDateTime.parse(value).toInstant();
            } catch (DateTimeParseException e) {
                throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not an ISO-8601 time with offset, like 2026-11-24T10:00:00Z");
            }
        }
    }

    private RecordsCommand() {}

    /** A file that cannot be read is not a bad command line: one line, exit 1. */
    static int cannotRead(Exception e) {
        System.err.println("credence: cannot read records: " + e.getMessage());
        return 1;
    }
}
