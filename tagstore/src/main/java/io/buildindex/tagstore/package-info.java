/**
 * Durable tag storage: the {@link TagStore} of tag to digest mappings with history, deletes and a
 * Caffeine read cache, on the node's database ({@link io.buildindex.database.LocalDb}).
 */
@NullMarked
package io.buildindex.tagstore;

import org.jspecify.annotations.NullMarked;
