package io.credence.server.bench;

import io.credence.plan.load.Load;
import io.credence.plan.load.LoadException;
import io.credence.plan.load.LoadFile;
import io.credence.server.ApiClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code credence bench admissions}: the load a {@code credence plan} load file describes, driven
 * against a running server's admissions, to set what the server does against what the model says.
 */
@Command(name = "admissions", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Drive /v1/admissions with a plan load file (Poisson arrivals, exponential holding) and measure acceptance.")
final class AdmissionBenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
            description = "the server's HTTP API, default ${DEFAULT-VALUE}")
    String url;

    @Option(names = "--load", required = true, paramLabel = "LOAD.yaml", description = "the load, as credence plan reads it")
    Path load;

    @CommandLine.Mixin
    MeasuredTime time;

    @Option(names = "--seed", defaultValue = "1", description = "arrivals and holding times seed, default ${DEFAULT-VALUE}")
    long seed;

    @Override
    public Integer call() throws InterruptedException {
        Load loaded;
        try {
            loaded = LoadFile.read(load);
        } catch (LoadException invalid) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--load: " + load + ": " + invalid.getMessage());
        } catch (IOException unreadable) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--load: cannot read " + load + ": "
                    + unreadable.getMessage());
        }
        AdmissionLoad generator;
        try {
            generator = new AdmissionLoad(url, System.getenv(ApiClient.API_KEY_ENVIRONMENT), loaded, seed);
        } catch (IllegalArgumentException unsupported) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--load: " + unsupported.getMessage());
        }
        List<AdmissionLoad.ClassResult> results = generator.run(java.time.Duration.ofNanos(time.warmupNanos()),
                java.time.Duration.ofNanos(time.measuredNanos()));
        System.out.print(AdmissionLoad.render(results));
        return results.stream().anyMatch(r -> r.errors() > 0) ? 1 : 0;
    }
}
