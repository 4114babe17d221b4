package io.credence.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.records.cdr.CdrFiles;
import io.credence.records.cdr.ChfRecords;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code credence records cdr list|decode}: the CHF CDR files a server wrote ({@code DATA/cdr}),
 * listed with their TS 32.297 headers, and their CDRs decoded to one JSON object a line.
 */
@Command(name = "cdr", mixinStandardHelpOptions = true, description = "List and decode the CHF CDR files (TS 32.297/32.298).",
        subcommands = {CdrCommand.ListFiles.class, CdrCommand.Decode.class})
final class CdrCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Command(name = "list", mixinStandardHelpOptions = true, description = "One line per closed CDR file: its header.")
    static final class ListFiles implements Callable<Integer> {
        @Option(names = "--data", defaultValue = "./data", description = "data directory, as for serve; default ${DEFAULT-VALUE}")
        Path data;

        @Override
        public Integer call() throws IOException {
            for (Path file : CdrFiles.list(data.resolve("cdr"))) {
                CdrFiles.Header h = CdrFiles.read(file).header();
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("file", file.getFileName().toString());
                line.put("sequence", h.fileSequence());
                line.put("cdrs", h.cdrCount());
                line.put("bytes", h.fileLength());
                line.put("opened", CdrFiles.packedTimeText(h.opened()));
                line.put("lastAppended", CdrFiles.packedTimeText(h.lastAppended()));
                line.put("closure", h.closure());
                line.put("release", h.highRelease() == 7 ? "Rel-" + (10 + extensionOf(file)) : "id " + h.highRelease());
                System.out.println(JSON.writeValueAsString(line));
            }
            return 0;
        }

        private static int extensionOf(Path file) throws IOException {
            byte[] bytes = Files.readAllBytes(file);
            return bytes[CdrFiles.HEADER_LENGTH - 2];
        }
    }

    @Command(name = "decode", mixinStandardHelpOptions = true,
            description = "Each CDR of the files as one JSON object a line; a CDR torn by a crash is reported on stderr.")
    static final class Decode implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "FILE", arity = "1..*", description = "CDR files")
        List<Path> files;

        @Override
        public Integer call() throws IOException {
            for (Path file : files) {
                if (!Files.isRegularFile(file)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "FILE: no such file: " + file);
                }
                CdrFiles.Contents contents;
                try {
                    contents = CdrFiles.read(file);
                } catch (IOException notCdrFile) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "FILE " + file + " is not a CDR file: "
                            + notCdrFile.getMessage());
                }
                for (byte[] cdr : contents.cdrs()) {
                    System.out.println(JSON.writeValueAsString(ChfRecords.decode(cdr)));
                }
                if (contents.tornAt() >= 0) {
                    System.err.println("credence: " + file + ": a CDR torn at byte " + contents.tornAt() + " is left out");
                }
            }
            return 0;
        }
    }
}
