/**
 * Configuration of a build-index node: one record per YAML section, defaults set in each record's
 * {@code DEFAULT_*} constants, validated when loaded so that start-up fails fast on a typo.
 *
 * <p>Absent YAML keys reach the compact constructors as {@code null} (the only caller that passes
 * null is the binder in {@link ConfigLoader}); each constructor replaces them with its defaults,
 * so accessors never return null unless documented {@code @Nullable} (optional sections).
 */
@NullMarked
package io.buildindex.config;

import org.jspecify.annotations.NullMarked;
