package io.credence.server;

import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;

/**
 * What a person got wrong on the command line, said so they can fix it: an unknown option or
 * subcommand with the one they probably meant ("--amout" -> "--amount", "acount" -> "account").
 * Picocli reports a missing required option before an unknown one, so "--amout 5" alone said
 * "Missing required option '--amount'"; the unknown word is the real mistake and is named first.
 */
final class Mistakes {
    private Mistakes() {}

    static String describe(CommandLine.ParameterException bad, String[] args) {
        CommandLine cmd = bad.getCommandLine();
        if (bad instanceof CommandLine.UnmatchedArgumentException unmatched) {
            return unknown(unmatched.getUnmatched(), unmatched.getSuggestions(), cmd);
        }
        if (bad instanceof CommandLine.MissingParameterException) {
            List<String> unknownOptions = unknownOptions(cmd, args);
            if (!unknownOptions.isEmpty()) {
                CommandLine.UnmatchedArgumentException probe =
                        new CommandLine.UnmatchedArgumentException(cmd, unknownOptions);
                return unknown(unknownOptions, probe.getSuggestions(), cmd);
            }
        }
        return bad.getMessage();
    }

    private static String unknown(List<String> words, List<String> suggestions, CommandLine cmd) {
        String word = words.isEmpty() ? "" : words.get(0);
        boolean option = word.startsWith("-");
        if (option && word.contains("=")) {
            word = word.substring(0, word.indexOf('=')); // the option's name, not the value typed with it
        }
        String kind = option ? "option" : cmd.getSubcommands().isEmpty() ? "argument" : "command";
        String line = "unknown " + kind + " '" + word + "'" + (cmd.getParent() == null ? ""
                : " for '" + cmd.getCommandSpec().qualifiedName() + "'");
        if (!suggestions.isEmpty()) {
            line += "; did you mean " + String.join(" or ", suggestions.stream().limit(1)
                    .map(s -> "'" + s + "'").toList()) + "?";
        }
        return line;
    }

    /** The words of {@code args} that look like options and that {@code cmd} does not have. */
    private static List<String> unknownOptions(CommandLine cmd, String[] args) {
        List<String> unknown = new ArrayList<>();
        for (String arg : args) {
            if (!arg.startsWith("-") || arg.equals("-") || arg.equals("--")) {
                continue;
            }
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (cmd.getCommandSpec().findOption(name) == null && !isNumber(name)) {
                unknown.add(name);
            }
        }
        return unknown;
    }

    private static boolean isNumber(String word) {
        return word.matches("-\\d+(\\.\\d+)?");
    }
}
