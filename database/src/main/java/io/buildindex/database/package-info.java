/**
 * The node's database, shared by every module that persists (tags, replication tasks): the
 * {@link io.buildindex.database.LocalDb} seam with one group-committing writer, numbered per-module
 * migrations, a writer-side statement cache, the data-directory lock and file identity checks, and
 * the {@link io.buildindex.database.StoreUnavailableException} every failure to serve becomes.
 */
@NullMarked
package io.buildindex.database;

import org.jspecify.annotations.NullMarked;
