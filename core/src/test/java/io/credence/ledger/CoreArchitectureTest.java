package io.credence.ledger;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.EOFException;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.InstantSource;
import java.util.Random;
import java.util.UUID;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The core decides; the shell talks to the world. The ledger may use the language, collections,
 * the byte-level {@code DataInput}/{@code DataOutput} interfaces and charsets — no files, sockets,
 * clocks, threads or randomness, so that the same commands always give the same state.
 */
@AnalyzeClasses(packages = {"io.credence.ledger", "io.credence.rating", "io.credence.records", "io.credence.admission",
        "io.credence.charging"},
        importOptions = ImportOption.DoNotIncludeTests.class)
class CoreArchitectureTest {

    static final DescribedPredicate<JavaClass> JDK_BASICS = resideInAnyPackage(
            "io.credence.ledger..", "io.credence.rating..", "io.credence.records", "io.credence.admission..",
            "io.credence.charging..",
            "java.lang", "java.lang.invoke", "java.lang.runtime", "java.lang.constant",
            "java.util", "java.util.function", "java.util.stream", "java.nio.charset", "java.math", "java.time",
            "java.time.zone")
            .or(equivalentTo(DataInput.class)).or(equivalentTo(DataOutput.class))
            .or(equivalentTo(IOException.class)).or(equivalentTo(EOFException.class))
            .or(equivalentTo(UTFDataFormatException.class)).or(equivalentTo(UncheckedIOException.class))
            .as("the ledger itself, java.lang, java.util, java.nio.charset, java.math, java.time values and zone rules, "
                    + "and java.io's DataInput/DataOutput and their exceptions");

    @ArchTest
    static final ArchRule dependsOnlyOnTheJdksBasics = classes()
            .should().onlyDependOnClassesThat(JDK_BASICS)
            .because("the core has no I/O, no threads and no clock (DESIGN.md: functional core, imperative shell)");

    @ArchTest
    static final ArchRule usesNoFilesNetworkOrConcurrency = noClasses()
            .should().dependOnClassesThat(resideInAnyPackage("java.nio.file..", "java.net..", "java.nio.channels..",
                    "java.util.concurrent..", "java.sql..", "java.lang.management.."));

    @ArchTest
    static final ArchRule startsNoThreads = noClasses()
            .should().dependOnClassesThat(equivalentTo(Thread.class).or(equivalentTo(ThreadLocal.class))
                    .or(equivalentTo(Runtime.class)).or(equivalentTo(ProcessBuilder.class)));

    @ArchTest
    static final ArchRule readsNoClock = noClasses()
            .should().dependOnClassesThat(equivalentTo(Clock.class).or(equivalentTo(InstantSource.class)))
            .orShould().callMethod(System.class, "currentTimeMillis")
            .orShould().callMethod(System.class, "nanoTime")
            .orShould().callMethodWhere(target(name("now")).and(target(owner(resideInAPackage("java.time..")))))
            .because("time comes in with each command");

    @ArchTest
    static final ArchRule drawsNoRandomness = noClasses()
            .should().dependOnClassesThat(equivalentTo(Random.class))
            .orShould().callMethod(UUID.class, "randomUUID")
            .orShould().callMethod(Math.class, "random");

    @ArchTest
    static final ArchRule readsNoEnvironment = noClasses()
            .should().callMethod(System.class, "getenv", String.class)
            .orShould().callMethod(System.class, "getProperty", String.class)
            .orShould().callMethod(System.class, "exit", int.class);

    @ArchTest
    static final ArchRule hasNoLocksOrVolatileState = methods()
            .should().notHaveModifier(JavaModifier.SYNCHRONIZED)
            .because("one thread owns the ledger; locking belongs to the shell");

    @ArchTest
    static final ArchRule hasNoVolatileFields = fields()
            .should().notHaveModifier(JavaModifier.VOLATILE)
            .allowEmptyShould(true);
}
