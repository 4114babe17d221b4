package io.credence.market.contract;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ed25519 signs/s and verifies/s on one thread, over a real contract's canonical bytes, and the
 * signature work one contract costs with a 3-of-4 quorum: the integrator's inputs for a capacity
 * estimate. A program, not a test: it never gates the build.
 *
 * <pre>
 *   mvn -o -q -pl market -am test-compile
 *   java -cp market/target/classes:market/target/test-classes:$HOME/.m2/repository/org/bouncycastle/bcprov-jdk18on/1.87/bcprov-jdk18on-1.87.jar \
 *       io.credence.market.contract.SignatureThroughput [secondsPerMeasurement]
 * </pre>
 */
public final class SignatureThroughput {
    private SignatureThroughput() {}

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3.0;
        Ed25519.KeyPair key = Fixtures.key(42);
        byte[] publicKey = key.publicKey();
        byte[] message = Fixtures.draft().build().encode();
        byte[] signature = key.sign(message);

        // Warm-up: let the JIT compile both paths before anything is timed.
        run(() -> key.sign(message)[0], seconds / 2);
        run(() -> Ed25519.verify(publicKey, message, signature) ? 1 : 0, seconds / 2);

        Rate signs = run(() -> key.sign(message)[0], seconds);
        Rate verifies = run(() -> Ed25519.verify(publicKey, message, signature) ? 1 : 0, seconds);

        System.out.printf("message: %d bytes (a contract's canonical encoding), 1 thread, %s s per measurement%n",
                message.length, seconds);
        System.out.printf("signs/s:    %,.0f (%.1f us each)%n", signs.perSecond(), 1e6 / signs.perSecond());
        System.out.printf("verifies/s: %,.0f (%.1f us each)%n", verifies.perSecond(), 1e6 / verifies.perSecond());
        perContract(signs, verifies);
    }

    /**
     * One contract through the whole flow: the offer and both party signatures, four validators
     * each checking it, and the quorum counting their approvals. Counted by {@link Ed25519}'s own
     * counters, so the numbers follow the code rather than a hand count.
     */
    private static void perContract(Rate signs, Rate verifies) {
        List<Validator> validators = new ArrayList<>();
        Map<String, byte[]> validatorKeys = new LinkedHashMap<>();
        for (int i = 1; i <= 4; i++) {
            Validator validator = new Validator("v" + i, Fixtures.key(10 + i));
            validators.add(validator);
            validatorKeys.put(validator.validatorId(), validator.key().publicKey());
        }
        Quorum quorum = new Quorum(3, validatorKeys);
        long signsBefore = Ed25519.signs();
        long verifiesBefore = Ed25519.verifies();

        Signed<Offer> offer = Fixtures.signedOffer();
        Signed<Contract> contract = Fixtures.draft().signed();
        List<Signed<Validation>> approvals = new ArrayList<>();
        for (Validator validator : validators) {
            approvals.add(validator.validate(contract, offer, Fixtures.KEYS, Fixtures.NOW));
        }
        QuorumResult result = quorum.evaluate(contract, approvals);

        long contractSigns = Ed25519.signs() - signsBefore;
        long contractVerifies = Ed25519.verifies() - verifiesBefore;
        double microseconds = contractSigns * 1e6 / signs.perSecond() + contractVerifies * 1e6 / verifies.perSecond();
        System.out.printf("per contract (offer + 2 parties + 4 validators, 3-of-4 quorum, %s): %d signs, %d verifies,"
                + " %.0f us of signature work -> about %,.0f contracts/s per core%n",
                result.getClass().getSimpleName(), contractSigns, contractVerifies, microseconds, 1e6 / microseconds);
    }

    private interface Operation {
        int run();
    }

    private record Rate(long operations, long nanos, int sink) {
        double perSecond() {
            return operations * 1e9 / nanos;
        }
    }

    /** Runs {@code operation} in batches until {@code seconds} have passed; the returned sink keeps the JIT from dropping the work. */
    private static Rate run(Operation operation, double seconds) {
        long budget = (long) (seconds * 1e9);
        long start = System.nanoTime();
        long operations = 0;
        int sink = 0;
        long elapsed;
        do {
            for (int i = 0; i < 100; i++) {
                sink += operation.run();
            }
            operations += 100;
            elapsed = System.nanoTime() - start;
        } while (elapsed < budget);
        return new Rate(operations, elapsed, sink);
    }
}
