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

    /** Compiles the modules in {@code asn1Dir} into {@code work}. */
    public static ErlangCdrDecoder compile(Path asn1Dir, Path work) throws IOException, InterruptedException {
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
        return new ErlangCdrDecoder(work);
    }

    /** {@code records/src/main/asn1} beside the calling module's directory. */
    public static Path projectModules() {
        return Path.of(System.getProperty("basedir", ".")).resolve("../records/src/main/asn1").normalize();
    }

    /** One line per CDR of {@code file}, in file order. */
    public List<String> decode(Path file) throws IOException, InterruptedException {
        return run(work, "escript", "decode.escript", file.toAbsolutePath().toString()).lines().toList();
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
