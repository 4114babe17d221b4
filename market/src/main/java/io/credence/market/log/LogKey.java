package io.credence.market.log;

import org.bouncycastle.math.ec.rfc8032.Ed25519;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * The log's Ed25519 signing key (RFC 8032), on raw 32-byte seeds and public keys through
 * BouncyCastle's low-level {@link Ed25519}: no JCA provider lookup, no key-spec encoding, and
 * signing reuses the public key computed once here instead of deriving it per signature.
 *
 * <p>On disk the key is the 32-byte seed alone, in a file only its owner may read or write
 * (0600), like an SSH private key; {@link #load} refuses a file others can read.
 */
public final class LogKey {
    public static final int SEED_BYTES = Ed25519.SECRET_KEY_SIZE;
    public static final int PUBLIC_KEY_BYTES = Ed25519.PUBLIC_KEY_SIZE;
    public static final int SIGNATURE_BYTES = Ed25519.SIGNATURE_SIZE;

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private final byte[] seed;
    private final byte[] publicKey;

    private LogKey(byte[] seed) {
        Check.argument(seed.length == SEED_BYTES, "an Ed25519 seed has 32 bytes");
        this.seed = seed.clone();
        this.publicKey = new byte[PUBLIC_KEY_BYTES];
        Ed25519.generatePublicKey(this.seed, 0, publicKey, 0);
    }

    public static LogKey generate(SecureRandom random) {
        byte[] seed = new byte[SEED_BYTES];
        Ed25519.generatePrivateKey(random, seed);
        return new LogKey(seed);
    }

    public static LogKey fromSeed(byte[] seed) {
        return new LogKey(seed);
    }

    /** Reads a key written by {@link #store}; refuses a file of the wrong size or readable by others. */
    public static LogKey load(Path file) throws IOException {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        if (permissions.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
            throw new IOException(file + " is accessible to group or others ("
                    + PosixFilePermissions.toString(permissions) + "); a log key must be 0600");
        }
        byte[] seed = Files.readAllBytes(file);
        if (seed.length != SEED_BYTES) {
            throw new IOException(file + " holds " + seed.length + " bytes, an Ed25519 seed has " + SEED_BYTES);
        }
        return new LogKey(seed);
    }

    /**
     * Writes the seed to a new file created with mode 0600 (never widened, not even for an
     * instant) and forces it to disk; refuses to overwrite an existing file.
     */
    public void store(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(OWNER_ONLY))) {
            ByteBuffer bytes = ByteBuffer.wrap(seed.clone());
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        }
        // the umask may have taken bits away, never added them; make the mode exact anyway
        Files.setPosixFilePermissions(file, OWNER_ONLY);
    }

    /** The secret seed (a copy), for a key made by the same file routine but used elsewhere (the market authority). */
    public byte[] seed() {
        return seed.clone();
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    public byte[] sign(byte[] message) {
        byte[] signature = new byte[SIGNATURE_BYTES];
        Ed25519.sign(seed, 0, publicKey, 0, message, 0, message.length, signature, 0);
        return signature;
    }

    /**
     * Whether {@code signature} is a valid Ed25519 signature of {@code message} under
     * {@code publicKey}. All three may come from anywhere: wrong lengths or a key that is not a
     * curve point give false, never an exception.
     */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey == null || message == null || signature == null
                || publicKey.length != PUBLIC_KEY_BYTES || signature.length != SIGNATURE_BYTES) {
            return false;
        }
        return Ed25519.verify(signature, 0, publicKey, 0, message, 0, message.length);
    }

    @Override
    public String toString() {
        return "LogKey[public=" + HexFormat.of().formatHex(publicKey) + "]";
    }
}
