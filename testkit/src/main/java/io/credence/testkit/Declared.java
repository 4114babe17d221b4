package io.credence.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

import java.lang.annotation.Annotation;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** What a test's annotations declare, on its method and on every class around it, each value once. */
final class Declared {
    private Declared() {}

    static <A extends Annotation> Set<String> values(ExtensionContext context, Class<A> type, Function<A, String[]> values) {
        Set<String> all = new LinkedHashSet<>();
        for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent(); c = c.get().getParent()) {
            c.get().getElement().flatMap(e -> AnnotationSupport.findAnnotation(e, type))
                    .ifPresent(a -> all.addAll(Arrays.asList(values.apply(a))));
        }
        return all;
    }
}
