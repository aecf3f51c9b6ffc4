/**
 * Test fixtures other modules reuse through the {@code database} test-jar: a temporary database
 * with migrations applied and a pausing {@link io.buildindex.database.LocalDb} decorator (polling
 * with a deadline is the {@code testing} module's {@code Poll}). The test-jar also carries the test-only migrations ({@code db/localdbtest}, ...).
 */
@NullMarked
package io.buildindex.database.testing;

import org.jspecify.annotations.NullMarked;
