package io.credence.testkit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Directories of test data that are not ours to copy into the repository (e.g. the 3GPP OpenAPI
 * files), under {@code ../shared/testdata/} beside it ({@link SharedTestData}). Checked before each
 * test method: where one is absent the test is reported skipped, naming it.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(SharedTestDataCondition.class)
public @interface RequiresSharedTestData {
    /** Paths under {@code ../shared/testdata/}, e.g. {@code "3gpp/rel17"}. */
    String[] value();
}
