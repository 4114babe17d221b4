package io.credence.server;

import io.credence.ledger.IdentityType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code credence subscriber bind|unbind|show}: the identities a network element names a
 * subscriber by (Diameter Subscription-Id, Nchf SUPI/GPSI) and the account they charge.
 */
@Command(name = "subscriber", mixinStandardHelpOptions = true,
        description = "Bind, unbind or look up the identities (MSISDN, IMSI, SIP URI, NAI) that find an account.",
        subcommands = {SubscriberCommand.Bind.class, SubscriberCommand.Unbind.class, SubscriberCommand.Show.class})
final class SubscriberCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "say which: subscriber bind | subscriber unbind | subscriber show");
    }

    /** The identity options every subcommand takes; at least one must be given. */
    static final class Identities {
        @Option(names = "--msisdn", paramLabel = "E164",
                description = "an E.164 number, country code first (a leading + is dropped): 491700000001")
        List<String> msisdns = new ArrayList<>();

        @Option(names = "--imsi", paramLabel = "IMSI", description = "an IMSI: 262011234567890")
        List<String> imsis = new ArrayList<>();

        @Option(names = "--sip-uri", paramLabel = "URI", description = "a SIP URI as the IMS sends it: sip:alice@ims.example.net")
        List<String> sipUris = new ArrayList<>();

        @Option(names = "--nai", paramLabel = "NAI", description = "a network access identifier: user@realm")
        List<String> nais = new ArrayList<>();

        @Option(names = "--private", paramLabel = "VALUE", description = "an operator-defined identity")
        List<String> privates = new ArrayList<>();

        /** Each identity given, checked as the server would, in a stable order. */
        Map<IdentityType, List<String>> checked(CommandLine cmd) {
            Map<IdentityType, List<String>> all = new LinkedHashMap<>();
            all.put(IdentityType.E164, msisdns.stream().map(m -> m.startsWith("+") ? m.substring(1) : m).toList());
            all.put(IdentityType.IMSI, imsis);
            all.put(IdentityType.SIP_URI, sipUris);
            all.put(IdentityType.NAI, nais);
            all.put(IdentityType.PRIVATE, privates);
            all.forEach((type, values) -> values.forEach(value -> {
                String problem = type.valueProblem(value);
                if (problem != null) {
                    throw new CommandLine.ParameterException(cmd, option(type) + " " + problem);
                }
            }));
            if (all.values().stream().allMatch(List::isEmpty)) {
                throw new CommandLine.ParameterException(cmd,
                        "name an identity: --msisdn, --imsi, --sip-uri, --nai or --private");
            }
            return all;
        }

        static String option(IdentityType type) {
            return switch (type) {
                case E164 -> "--msisdn";
                case IMSI -> "--imsi";
                case SIP_URI -> "--sip-uri";
                case NAI -> "--nai";
                case PRIVATE -> "--private";
            };
        }
    }

    private interface PerIdentity {
        ClientCommands.Call call(IdentityType type, String value);
    }

    /**
     * Runs one request per identity; stops at the first refusal and says which identity it was.
     *
     * @param verb how a success reads: "bound to", "was bound to" or "charges"
     */
    private static int each(ClientCommands.ServerOption server, Identities given, String verb, PerIdentity request) {
        Map<IdentityType, List<String>> identities = (given == null ? new Identities() : given)
                .checked(server.spec.commandLine());
        for (var entry : identities.entrySet()) {
            for (String value : entry.getValue()) {
                int code = server.print(request.call(entry.getKey(), value), reply -> entry.getKey() + " " + value
                        + " " + verb + " " + reply.body().path("accountId").asText("?"));
                if (code != 0) {
                    System.err.println("credence: (" + Identities.option(entry.getKey()) + " " + value + ")");
                    return code;
                }
            }
        }
        return 0;
    }

    @Command(name = "bind", mixinStandardHelpOptions = true,
            description = "Bind identities to an account, so charging requests naming them charge it.")
    static final class Bind implements Callable<Integer> {
        @Mixin
        ClientCommands.ServerOption server;

        @Parameters(paramLabel = "ACCOUNT_ID")
        String accountId;

        @CommandLine.ArgGroup(exclusive = false, multiplicity = "0..1")
        Identities identities;

        @Override
        public Integer call() {
            server.requireAccountId(accountId, "ACCOUNT_ID");
            return each(server, identities, "bound to", (type, value) -> client -> {
                Map<String, Object> body = new LinkedHashMap<>();
                server.putRequestId(body);
                body.put("type", type.name());
                body.put("value", value);
                return client.post("v1/accounts/" + accountId + "/identities", body);
            });
        }
    }

    @Command(name = "unbind", mixinStandardHelpOptions = true,
            description = "Free identities; the account keeps everything else.")
    static final class Unbind implements Callable<Integer> {
        @Mixin
        ClientCommands.ServerOption server;

        @CommandLine.ArgGroup(exclusive = false, multiplicity = "0..1")
        Identities identities;

        @Override
        public Integer call() {
            return each(server, identities, "unbound; it was bound to", (type, value) ->
                    client -> client.delete("v1/identities/" + type.name() + "/" + ApiClient.segment(value)));
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Which account an identity charges.")
    static final class Show implements Callable<Integer> {
        @Mixin
        ClientCommands.ServerOption server;

        @CommandLine.ArgGroup(exclusive = false, multiplicity = "0..1")
        Identities identities;

        @Override
        public Integer call() {
            return each(server, identities, "charges", (type, value) ->
                    client -> client.get("v1/identities/" + type.name() + "/" + ApiClient.segment(value)));
        }
    }
}
