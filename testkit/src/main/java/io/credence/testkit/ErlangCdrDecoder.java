package io.credence.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A CDR decoder nobody here wrote: Erlang/OTP's ASN.1 compiler ({@code asn1ct:compile(M, [ber])}, what {@code erlc -bber} runs) turns the TS
 * 32.298 modules the project keeps ({@code records/src/main/asn1}) into a BER decoder, and an
 * escript walks a TS 32.297 CDR file with it, printing one line per CDR:
 * {@code type|data|functionality|session|ratingGroup|time|volume|units|uPFID|opening|duration|cause|local|recordId}
 * ({@code -} for an absent field). Tests using it need {@code @RequiresTools({"erlc", "escript", "erlc:asn1"})}.
 */
public final class ErlangCdrDecoder {
    private static final java.util.List<String> DECODING_MODULES = java.util.List.of("CHFChargingDataTypes",
            "GenericChargingDataTypes", "GPRSChargingDataTypes", "SMSChargingDataTypes",
            "ExposureFunctionAPIChargingDataTypes", "Attribute-ASN1Module", "MAP-CommonDataTypes", "MAP-ER-DataTypes");
    private final Path work;

    private ErlangCdrDecoder(Path work) {
        this.work = work;
    }

    /**
     * Compiles the modules in {@code asn1Dir} into {@code work}; when they were compiled before
     * (same module texts, same escript) under {@code java.io.tmpdir}, that compilation is used
     * instead: a compilation takes about 10 s on two cores, and several test classes need it.
     */
    public static ErlangCdrDecoder compile(Path asn1Dir, Path work) throws IOException, InterruptedException {
        Path cached = Path.of(System.getProperty("java.io.tmpdir"), "credence-erlang-cdr-" + digestOf(asn1Dir));
        if (Files.isRegularFile(cached.resolve("COMPILED"))) {
            return new ErlangCdrDecoder(cached);
        }
        compileInto(asn1Dir, work);
        try {
            // published whole or not at all: a directory renamed into place
            Path staging = Files.createTempDirectory(cached.getParent(), "credence-erlang-cdr-staging");
            try (Stream<Path> files = Files.list(work)) {
                for (Path f : files.toList()) {
                    Files.copy(f, staging.resolve(f.getFileName()));
                }
            }
            Files.writeString(staging.resolve("COMPILED"), "ok\n");
            Files.move(staging, cached, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return new ErlangCdrDecoder(cached);
        } catch (IOException raced) { // another JVM published it first, or tmp is not writable: use our own
            return new ErlangCdrDecoder(work);
        }
    }

    private static String digestOf(Path asn1Dir) throws IOException {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            try (Stream<Path> modules = Files.list(asn1Dir)) {
                for (Path module : modules.filter(p -> p.toString().endsWith(".asn")).sorted().toList()) {
                    sha.update(module.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                    sha.update(Files.readAllBytes(module));
                }
            }
            try (InputStream script = ErlangCdrDecoder.class.getResourceAsStream("decode-chf-cdrs.escript")) {
                sha.update(script.readAllBytes());
            }
            return java.util.HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (java.security.NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static void compileInto(Path asn1Dir, Path work) throws IOException, InterruptedException {
        Files.createDirectories(work);
        try (Stream<Path> modules = Files.list(asn1Dir)) {
            for (Path module : modules.filter(p -> p.toString().endsWith(".asn")).toList()) {
                Files.copy(module, work.resolve(module.getFileName()));
            }
        }
        // each module the decoding of a CHFRecord calls into is compiled on its own (the others are
        // there for erlc to resolve their imports)
        // (asn1ct in one VM: erlc would start one per module)
        StringBuilder compile = new StringBuilder("lists:foreach(fun(M) -> ok = asn1ct:compile(M, [ber]) end, [");
        for (String module : DECODING_MODULES) {
            compile.append(compile.charAt(compile.length() - 1) == '[' ? "" : ", ").append('"').append(module).append('"');
        }
        run(work, "erl", "-noshell", "-eval", compile.append("]), halt().").toString());
        try (InputStream script = ErlangCdrDecoder.class.getResourceAsStream("decode-chf-cdrs.escript")) {
            Files.write(work.resolve("decode.escript"), script.readAllBytes());
        }
    }

    /** {@code records/src/main/asn1} beside the calling module's directory. */
    public static Path projectModules() {
        return Path.of(System.getProperty("basedir", ".")).resolve("../records/src/main/asn1").normalize();
    }

    /** One line per CDR of {@code file}, in file order. */
    public List<String> decode(Path file) throws IOException, InterruptedException {
        return decode(List.of(file));
    }

    /** One line per CDR of the files, in the order given (one Erlang VM for all of them). */
    public List<String> decode(List<Path> files) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("escript", "decode.escript"));
        files.forEach(f -> command.add(f.toAbsolutePath().toString()));
        return run(work, command.toArray(String[]::new)).lines().toList();
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed in " + dir + ":\n" + out);
        }
        return out;
    }
}
