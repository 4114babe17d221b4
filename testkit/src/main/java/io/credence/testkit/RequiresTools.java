package io.credence.testkit;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The programs a test drives, which nobody here wrote and the build cannot download (tshark,
 * freeDiameterd, Kamailio, SIPp). Each is named as {@link Tools#installed} reads it: a program on
 * the PATH ({@code "tshark"}), or a program and a module it loads ({@code "kamailio:ims_charging"}).
 *
 * <p>Checked before each test method, on the class or the method: where one is missing the test
 * is reported skipped, naming it, unless {@link RequiredTools} says this machine must have it
 * (CI), where the test fails instead. A class-level check would hide the whole class from the
 * report ("Tests run: 0"), so there is none.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(ToolsCondition.class)
public @interface RequiresTools {
    String[] value();
}
