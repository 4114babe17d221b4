package io.credence.server;

import io.credence.rating.Catalog;
import io.credence.server.catalog.CatalogFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code credence catalog check FILE} validates a catalog offline, as the server would on reload;
 * {@code credence catalog reload} asks a running server to take its edited file.
 */
@Command(name = "catalog", mixinStandardHelpOptions = true, description = "Work with rating catalogs.",
        subcommands = {CatalogCommand.Check.class, CatalogCommand.Reload.class})
final class CatalogCommand {

    @Command(name = "reload", mixinStandardHelpOptions = true,
            description = "Ask a running server to read its catalog file again; a refused file leaves the catalog in force.")
    static final class Reload implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        ClientCommands.ServerOption server;

        @Override
        public Integer call() {
            return server.print(client -> client.post("v1/catalog/reload", java.util.Map.of()));
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Check a catalog file; print what it holds, or the file, line and reason it is refused.")
    static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "the catalog (JSON)")
        Path file;

        @Override
        public Integer call() {
            try {
                Catalog c = CatalogFile.read(file);
                System.out.printf("%s: catalog %s is valid: %d services, %d tariffs, %d rules, %d time bands, %d outlets%n",
                        file, c.version(), c.services().size(), c.tariffs().size(), c.rules().size(),
                        c.timeBands().size(), c.outlets().size());
                return 0;
            } catch (CatalogFile.Invalid invalid) {
                System.err.println("credence: " + invalid.getMessage());
                return 1;
            }
        }
    }
}
