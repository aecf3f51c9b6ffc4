/**
 * Durable tag storage: the SQLite database every module writes through ({@link LocalDb}, one
 * group-committing writer) and the {@link TagStore} of tag to digest mappings with history,
 * deletes and a Caffeine read cache.
 */
@NullMarked
package io.buildindex.tagstore;

import org.jspecify.annotations.NullMarked;
