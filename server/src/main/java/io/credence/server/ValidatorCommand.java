package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.market.contract.Contract;
import io.credence.market.contract.Ed25519;
import io.credence.market.contract.KeyDirectory;
import io.credence.market.contract.Offer;
import io.credence.market.contract.Signed;
import io.credence.market.contract.Validation;
import io.credence.market.contract.Validator;
import io.credence.market.log.LogKey;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code credence validator}: a contract validator as its own process. {@code keygen} makes its
 * Ed25519 key (owner-only file) and prints the line the server's {@code --market-validators} file
 * takes; {@code run} polls the server for contracts waiting for this validator, checks both
 * parties' signatures and the contract's consistency with its offer, and posts its signed verdict.
 */
@Command(name = "validator", mixinStandardHelpOptions = true, description = "A market contract validator process.",
        subcommands = {ValidatorCommand.Keygen.class, ValidatorCommand.Run.class})
final class ValidatorCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "keygen", mixinStandardHelpOptions = true, description = "Make a validator key; print its line for --market-validators.")
    static final class Keygen implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--id", required = true, description = "the validator's id (letters, digits, - _ .)")
        String id;

        @Option(names = "--key", required = true, paramLabel = "FILE", description = "where to write the key (must not exist)")
        Path key;

        @Override
        public Integer call() throws IOException {
            if (!id.matches("[A-Za-z0-9._-]{1,64}")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--id must be 1..64 letters, digits and - _ .");
            }
            if (Files.exists(key)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--key: " + key + " exists; a key is never overwritten");
            }
            LogKey made = LogKey.generate(new SecureRandom());
            made.store(key);
            System.out.println(id + " " + Base64.getEncoder().encodeToString(made.publicKey()));
            return 0;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Validate the server's waiting contracts until stopped.")
    static final class Run implements Callable<Integer> {
        static final int BATCH_MAX = 100;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--server", required = true, paramLabel = "URL", description = "the Credence server")
        String server;

        @Option(names = "--id", required = true, description = "this validator's id, as in the server's --market-validators")
        String id;

        @Option(names = "--key", required = true, paramLabel = "FILE", description = "this validator's key (from keygen)")
        Path key;

        @Option(names = "--interval-ms", defaultValue = "200", description = "how often to look for work, default ${DEFAULT-VALUE}")
        long intervalMillis;

        private final PrintStream out = System.out;

        @Override
        public Integer call() throws Exception {
            if (intervalMillis < 10 || intervalMillis > 60_000) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--interval-ms must be 10..60000, was "
                        + intervalMillis);
            }
            Validator validator;
            try {
                validator = new Validator(id, Ed25519.fromSeed(LogKey.load(key).seed()));
            } catch (IOException bad) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--key: " + bad.getMessage());
            }
            ApiClient api = new ApiClient(URI.create(server.endsWith("/") ? server : server + "/"));
            out.println("credence validator " + id + ": validating for " + server);
            out.flush();
            while (!Thread.currentThread().isInterrupted()) {
                int judged = 0;
                try {
                    judged = round(api, validator);
                } catch (IOException unreachable) {
                    out.println("server unreachable: " + unreachable.getMessage());
                    out.flush();
                }
                if (judged == 0) {
                    Thread.sleep(intervalMillis);
                }
            }
            return 0;
        }

        /** One look for work: judges every waiting contract; returns how many. */
        private int round(ApiClient api, Validator validator) throws IOException, InterruptedException {
            ApiClient.Reply waiting = api.get("v1/market/validations/pending?validator="
                    + URLEncoder.encode(id, StandardCharsets.UTF_8) + "&limit=" + BATCH_MAX);
            if (!waiting.ok()) {
                out.println("cannot list waiting contracts: " + waiting.problemLine());
                out.flush();
                return 0;
            }
            int judged = 0;
            for (JsonNode item : waiting.body().path("contracts")) {
                Signed<Contract> contract = Signed.decode(decode(item.path("signedContract").asText()), Contract.class);
                Signed<Offer> offer = Signed.decode(decode(item.path("signedOffer").asText()), Offer.class);
                Map<String, byte[]> keys = new LinkedHashMap<>();
                item.path("partyKeys").properties().forEach(e -> keys.put(e.getKey(), decode(e.getValue().asText())));
                Signed<Validation> verdict = validator.validate(contract, offer, KeyDirectory.of(keys),
                        System.currentTimeMillis());
                ApiClient.Reply posted = api.post("v1/market/contracts/" + contract.entry().contractId() + "/validations",
                        Map.of("signedValidation", Base64.getEncoder().encodeToString(verdict.encode())));
                out.println(contract.entry().contractId() + ": " + (verdict.entry().approved() ? "approved"
                        : "refused (" + verdict.entry().reason() + ")") + " -> "
                        + (posted.ok() ? posted.body().path("status").asText() : posted.problemLine()));
                out.flush();
                judged++;
            }
            return judged;
        }

        private static byte[] decode(String base64) {
            return Base64.getDecoder().decode(base64);
        }
    }
}
