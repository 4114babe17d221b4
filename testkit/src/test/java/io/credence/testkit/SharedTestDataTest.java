package io.credence.testkit;

import io.credence.testkit.Reported.Outcome;
import io.credence.testkit.Reported.Status;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link RequiresSharedTestData} and where it looks: {@code ../shared/testdata/} beside the repository's root. */
class SharedTestDataTest {
    static final String ABSENT = "credence-no-such-data";
    static final List<String> RAN = new CopyOnWriteArrayList<>();

    @RequiresSharedTestData(ABSENT)
    static class NeedsAbsentData {
        @Test
        void readsIt() {
            RAN.add("readsIt");
        }
    }

    @Test
    void theRepositoryRootIsTheDirectoryOfTheParentPom() {
        Path root = SharedTestData.repositoryRoot().orElseThrow();
        assertThat(root.resolve("credence")).as("the launcher beside the parent pom").isRegularFile();
        assertThat(root.resolve("testkit/pom.xml")).isRegularFile();
    }

    @Test
    void aDirectoryIsLookedForUnderSharedTestdataBesideTheRoot() {
        Path root = SharedTestData.repositoryRoot().orElseThrow();
        // "../../<root's name>" under ../shared/testdata/ is the root itself: there on every clone
        assertThat(SharedTestData.directory("../../" + root.getFileName())).contains(root);
        assertThat(SharedTestData.directory(ABSENT)).isEmpty();
        assertThat(Files.exists(root.resolve("../shared/testdata").resolve(ABSENT))).isFalse();
    }

    @Test
    void eachTestNeedingAbsentDataIsReportedSkippedNamingIt() {
        RAN.clear();
        Path expected = SharedTestData.repositoryRoot().orElseThrow().resolve("../shared/testdata/" + ABSENT).normalize();

        Map<String, Outcome> reported = Reported.run(NeedsAbsentData.class, Map.of());

        assertThat(reported).containsEntry("readsIt()", new Outcome(Status.SKIPPED,
                "../shared/testdata/" + ABSENT + " is absent beside the repository (" + expected + ")"));
        assertThat(RAN).isEmpty();
    }
}
