package io.credence.testkit;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;
import java.util.Set;

/**
 * {@link RequiresSharedTestData}: before each test method, the directories named on it and on its
 * classes must be there under {@code ../shared/testdata/}; an absent one disables the test, naming
 * it. Decided per method, as {@link ToolsCondition} is, so that each skipped test is counted.
 */
final class SharedTestDataCondition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            return ConditionEvaluationResult.enabled("shared test data is checked per test method");
        }
        Set<String> needed = Declared.values(context, RequiresSharedTestData.class, RequiresSharedTestData::value);
        List<String> absent = needed.stream().filter(name -> SharedTestData.directory(name).isEmpty()).toList();
        return absent.isEmpty() ? ConditionEvaluationResult.enabled("present: " + String.join(", ", needed))
                : ConditionEvaluationResult.disabled(String.join("; ", absent.stream().map(SharedTestData::absence).toList()));
    }
}
