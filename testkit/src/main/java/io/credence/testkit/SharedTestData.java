package io.credence.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Test data the workplace keeps beside the repository, in {@code ../shared/testdata/}, because it
 * is not ours to copy into it (the 3GPP OpenAPI files). A fresh clone has no {@code ../shared}:
 * the tests that need it report themselves skipped ({@link RequiresSharedTestData}).
 */
public final class SharedTestData {
    static final String BESIDE_THE_REPOSITORY = "../shared/testdata/";

    private SharedTestData() {}

    /** {@code ../shared/testdata/<name>} beside the repository, when that directory is there. */
    public static Optional<Path> directory(String name) {
        return repositoryRoot().map(root -> root.resolve(BESIDE_THE_REPOSITORY + name).normalize())
                .filter(Files::isDirectory);
    }

    /** Why {@code name} is not there: the reason a test that needs it gives for being skipped. */
    public static String absence(String name) {
        return BESIDE_THE_REPOSITORY + name + " is absent beside the repository"
                + repositoryRoot().map(root -> " (" + root.resolve(BESIDE_THE_REPOSITORY + name).normalize() + ")")
                        .orElse(" (no repository root above " + workingDirectory() + ")");
    }

    /**
     * The repository's root: the nearest directory, from the working directory up, whose pom.xml is
     * the parent pom (tests run in their module's directory under Maven, often in the root in an IDE).
     */
    static Optional<Path> repositoryRoot() {
        for (Path dir = workingDirectory(); dir != null; dir = dir.getParent()) {
            if (isParentPom(dir.resolve("pom.xml"))) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    private static Path workingDirectory() {
        return Path.of("").toAbsolutePath();
    }

    private static boolean isParentPom(Path pom) {
        try {
            // a module's pom names credence-parent too, as its parent; only the root lists modules
            String text = Files.isRegularFile(pom) ? Files.readString(pom) : "";
            return text.contains("<artifactId>credence-parent</artifactId>") && text.contains("<modules>");
        } catch (IOException unreadable) {
            return false;
        }
    }
}
