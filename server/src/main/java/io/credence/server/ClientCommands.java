package io.credence.server;

import io.credence.ledger.AccountKind;
import io.credence.ledger.Ids;
import io.credence.ledger.Unit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** CLI subcommands that talk to a running server over its HTTP API. */
final class ClientCommands {
    private ClientCommands() {}

    /** {@code --server} and the call-and-print routine every client command shares. */
    static final class ServerOption {
        @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--server", defaultValue = "${env:CREDENCE_SERVER:-http://127.0.0.1:8080}",
                description = "server URL, default ${DEFAULT-VALUE} (env CREDENCE_SERVER)")
        String server;

        @Option(names = "--request-id", description = "idempotency key; repeat it to retry safely")
        String requestId;

        ApiClient client() {
            URI uri;
            try {
                uri = URI.create(server.endsWith("/") ? server : server + "/");
            } catch (IllegalArgumentException bad) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--server is not a URL: " + server);
            }
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--server must be an http:// URL, was " + server);
            }
            return new ApiClient(uri);
        }

        void putRequestId(Map<String, Object> body) {
            if (requestId != null) {
                String problem = Ids.requestIdProblem(requestId);
                if (problem != null) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--request-id " + problem);
                }
                body.put("requestId", requestId);
            }
        }

        int print(Call call) {
            return print(call, ApiClient.Reply::pretty);
        }

        /** Runs the call; a success is printed as {@code render} says, a refusal as one line. */
        int print(Call call, java.util.function.Function<ApiClient.Reply, String> render) {
            try {
                ApiClient.Reply reply = call.run(client());
                if (reply.ok()) {
                    System.out.println(render.apply(reply));
                    return 0;
                }
                System.err.println("credence: " + reply.problemLine());
                return Main.EXIT_REFUSED;
            } catch (ConnectException refused) {
                System.err.println("credence: cannot reach the server at " + server + " (is `credence serve` running?)");
                return Main.EXIT_UNREACHABLE;
            } catch (IOException failed) {
                System.err.println("credence: talking to " + server + " failed: " + failed.getMessage());
                return Main.EXIT_UNREACHABLE;
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return Main.EXIT_UNREACHABLE;
            }
        }

        void requireAccountId(String id, String what) {
            String problem = Ids.accountIdProblem(id);
            if (problem != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), what + " " + problem);
            }
        }
    }

    interface Call {
        ApiClient.Reply run(ApiClient client) throws IOException, InterruptedException;
    }

    @Command(name = "account", mixinStandardHelpOptions = true, description = "Create or show accounts.",
            subcommands = {Create.class, Show.class})
    static final class Account implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(), "say which: account create | account show");
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an account.")
    static final class Create implements Callable<Integer> {
        @Mixin
        ServerOption server;

        @Parameters(paramLabel = "ACCOUNT_ID", description = "letters, digits and - _ . : @, at most 64")
        String accountId;

        @Option(names = "--kind", defaultValue = "SUBSCRIBER", description = "one of ${COMPLETION-CANDIDATES}, default ${DEFAULT-VALUE}")
        AccountKind kind;

        @Option(names = "--credit-limit", paramLabel = "UNIT=AMOUNT", description = "how far below zero the account may go, e.g. MONEY=500")
        Map<Unit, Long> creditLimits = new LinkedHashMap<>();

        @Override
        public Integer call() {
            server.requireAccountId(accountId, "ACCOUNT_ID");
            creditLimits.forEach((unit, amount) -> {
                if (amount < 0) {
                    throw new CommandLine.ParameterException(server.spec.commandLine(),
                            "--credit-limit " + unit + " must be >= 0, was " + amount);
                }
            });
            Map<String, Object> body = new LinkedHashMap<>();
            server.putRequestId(body);
            body.put("accountId", accountId);
            body.put("kind", kind.name());
            body.put("creditLimits", creditLimits);
            return server.print(client -> client.post("v1/accounts", body));
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show an account: per unit the total, main balance and buckets, what is available now and "
                    + "to which services; money in the currency.")
    static final class Show implements Callable<Integer> {
        @Mixin
        ServerOption server;

        @Parameters(paramLabel = "ACCOUNT_ID")
        String accountId;

        @Option(names = "--json", description = "print the API's JSON document instead")
        boolean json;

        @Override
        public Integer call() {
            server.requireAccountId(accountId, "ACCOUNT_ID");
            return server.print(client -> client.get("v1/accounts/" + accountId),
                    reply -> json ? reply.pretty() : AccountReport.render(reply.body()).stripTrailing());
        }
    }

    @Command(name = "topup", mixinStandardHelpOptions = true,
            description = "Top up an account's main balance, or add a bucket with --valid-until/--priority/--rating-group.")
    static final class TopUp implements Callable<Integer> {
        @Mixin
        ServerOption server;

        @Parameters(paramLabel = "ACCOUNT_ID")
        String accountId;

        @Option(names = "--unit", required = true, description = "one of ${COMPLETION-CANDIDATES}")
        Unit unit;

        @Option(names = "--amount", required = true, paramLabel = "AMOUNT",
                description = "MONEY: in the currency with its decimals (12.50 is 12.50 EUR) or a whole number of "
                        + "minor units (1250 cents); other units: a whole number of bytes, seconds or service units")
        String amount;

        @Option(names = "--source", defaultValue = Ids.SYSTEM_ACCOUNT, description = "system account issuing the value, default ${DEFAULT-VALUE}")
        String source;

        @Option(names = "--valid-until", description = "ISO-8601 instant; makes a bucket that expires")
        String validUntil;

        @Option(names = "--priority", description = "bucket priority (higher is used first)")
        Integer priority;

        @Option(names = "--rating-group", description = "rating group(s) the bucket pays for")
        List<Long> ratingGroups;

        @Override
        public Integer call() {
            server.requireAccountId(accountId, "ACCOUNT_ID");
            server.requireAccountId(source, "--source");
            Long minorUnits = Amounts.parse(server, unit, amount, accountId);
            if (minorUnits == null) {
                return Main.EXIT_UNREACHABLE; // the currency could not be asked for; said why already
            }
            Map<String, Object> body = new LinkedHashMap<>();
            server.putRequestId(body);
            body.put("unit", unit.name());
            body.put("amount", minorUnits);
            body.put("source", source);
            boolean bucket = validUntil != null || priority != null || ratingGroups != null;
            if (validUntil != null) {
                try {
                    body.put("validUntil", Instant.parse(validUntil).toString());
                } catch (DateTimeParseException bad) {
                    throw new CommandLine.ParameterException(server.spec.commandLine(),
                            "--valid-until must be an ISO-8601 instant such as 2026-12-31T00:00:00Z, was " + validUntil);
                }
            }
            if (priority != null) {
                body.put("priority", priority);
            }
            if (ratingGroups != null) {
                body.put("ratingGroups", ratingGroups);
            }
            String path = "v1/accounts/" + accountId + (bucket ? "/buckets" : "/topups");
            return server.print(client -> client.post(path, body));
        }
    }
}
