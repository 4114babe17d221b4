package io.credence.testkit;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherFactory;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * Runs a sample test class through the real JUnit Platform, as surefire does, and gives what was
 * reported for each test and container: the way to see that a condition skips or fails a test.
 */
final class Reported {
    enum Status { SUCCESSFUL, SKIPPED, FAILED, ABORTED }

    /** A reported outcome: the skip reason, or the failure's message. */
    record Outcome(Status status, String detail) {}

    private Reported() {}

    /** The outcome of each test (by display name, e.g. "first()") and container (by "[class] name"). */
    static Map<String, Outcome> run(Class<?> testClass, Map<String, String> parameters) {
        Map<String, Outcome> outcomes = new TreeMap<>();
        TestExecutionListener listener = new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                outcomes.put(key(id), new Outcome(Status.SKIPPED, reason));
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                String message = result.getThrowable().map(Throwable::getMessage).orElse("");
                outcomes.put(key(id), new Outcome(Status.valueOf(result.getStatus().name()), message));
            }
        };
        LauncherDiscoveryRequest request = request().selectors(selectClass(testClass)).configurationParameters(parameters)
                .build();
        LauncherFactory.create().execute(request, listener);
        outcomes.keySet().removeIf(key -> key.equals("[container] JUnit Jupiter"));
        return outcomes;
    }

    private static String key(TestIdentifier id) {
        return id.isTest() ? id.getDisplayName() : "[container] " + id.getDisplayName();
    }
}
