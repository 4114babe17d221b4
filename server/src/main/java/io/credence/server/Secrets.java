package io.credence.server;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

/**
 * Secret options (passwords, keys) come from a file or the environment, so they stay out of
 * {@code ps} and shell history: each {@code --x} has a {@code --x-file PATH} twin and a
 * {@code CREDENCE_X} environment default. Given on the command line itself a secret still works,
 * with a warning saying where else it can come from.
 */
final class Secrets {
    /** A secret file holds one line; anything longer is not a password. */
    private static final int FILE_BYTES_MAX = 4096;

    private Secrets() {}

    /**
     * The secret from {@code --option} (the command line, or its environment default) or
     * {@code --option-file}; null when neither is given.
     *
     * @param fromCommandLine whether {@code value} was typed on the command line (not the env default)
     */
    static String resolve(CommandLine.Model.CommandSpec spec, String option, String value, boolean fromCommandLine,
                          Path file, String environment) {
        if (value != null && file != null && fromCommandLine) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give " + option + " or " + option
                    + "-file, not both");
        }
        if (file != null) {
            return read(spec, option + "-file", file);
        }
        if (value != null && fromCommandLine) {
            System.err.println("credence: warning: " + option + " on the command line is visible to every user in ps; "
                    + "use " + option + "-file FILE or $" + environment);
        }
        return value == null || value.isEmpty() ? null : value;
    }

    private static String read(CommandLine.Model.CommandSpec spec, String option, Path file) {
        try {
            if (Files.size(file) > FILE_BYTES_MAX) {
                throw new CommandLine.ParameterException(spec.commandLine(), option + " " + file
                        + " is larger than " + FILE_BYTES_MAX + " bytes: not a secret file");
            }
            String text = Files.readString(file, StandardCharsets.UTF_8);
            String secret = text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
                    : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
            if (secret.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), option + " " + file + " is empty");
            }
            return secret;
        } catch (java.nio.file.NoSuchFileException missing) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " " + file + ": there is no such file");
        } catch (IOException unreadable) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " " + file + " cannot be read: "
                    + unreadable.getMessage());
        }
    }

    /**
     * Opens a PKCS#12 key store with its password now, so a missing file or a wrong password is one
     * line naming the option at start-up, not a stack trace from deep inside the TLS set-up.
     */
    static void checkKeyStore(CommandLine.Model.CommandSpec spec, String option, Path keyStore, String password) {
        try (InputStream in = Files.newInputStream(keyStore)) {
            KeyStore.getInstance("PKCS12").load(in, password.toCharArray());
        } catch (IOException | GeneralSecurityException bad) {
            String reason = switch (bad) {
                case java.nio.file.NoSuchFileException missing -> "there is no such file";
                case java.nio.file.AccessDeniedException denied -> "it cannot be read (permissions)";
                default -> bad.getCause() instanceof java.security.UnrecoverableKeyException
                        || String.valueOf(bad.getMessage()).contains("password")
                        ? "the password does not open it" : "it is not a PKCS#12 key store (" + bad.getMessage() + ")";
            };
            throw new CommandLine.ParameterException(spec.commandLine(), option + " " + keyStore
                    + " cannot be used: " + reason);
        }
    }
}
