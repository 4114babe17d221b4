package io.credence.testkit;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;
import java.util.Set;

/**
 * {@link RequiresTools}: before each test method, the tools named on it and on its classes
 * (enclosing ones included) must be installed; a missing one disables the test, saying which and
 * what to install, or, where it is {@linkplain RequiredTools required}, fails it.
 */
final class ToolsCondition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            // a disabled class is one line in the report, its tests uncounted: decide per method
            return ConditionEvaluationResult.enabled("tools are checked per test method");
        }
        Set<String> needed = Declared.values(context, RequiresTools.class, RequiresTools::value);
        List<String> missing = needed.stream().filter(tool -> !Tools.installed(tool)).toList();
        if (missing.isEmpty()) {
            return ConditionEvaluationResult.enabled("installed: " + String.join(", ", needed));
        }
        Set<String> required = RequiredTools.required(context.getConfigurationParameter(RequiredTools.PARAMETER));
        List<String> mustHave = missing.stream().filter(tool -> RequiredTools.covers(required, tool)).toList();
        if (!mustHave.isEmpty()) {
            throw new IllegalStateException("required here (" + RequiredTools.VARIABLE + ") but not installed: "
                    + String.join(", ", mustHave) + suffix(Tools.installHint(mustHave)));
        }
        return ConditionEvaluationResult.disabled("not installed: " + String.join(", ", missing)
                + suffix(Tools.installHint(missing)));
    }

    private static String suffix(String hint) {
        return hint.isEmpty() ? "" : " (" + hint + ")";
    }
}
