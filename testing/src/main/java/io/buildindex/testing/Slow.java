package io.buildindex.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a long test that is a measurement rather than a behaviour check (JUnit tag {@code slow}):
 * it runs by default and in CI; {@code mvn test -Dquick} skips it (README, Quick start).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("slow")
public @interface Slow {}
