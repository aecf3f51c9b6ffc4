/**
 * The node's database, shared by every module that persists (tags, replication tasks): the
 * {@link io.buildindex.database.LocalDb} seam, on SQLite (one group-committing writer, a
 * writer-side statement cache, the data-directory lock and file identity checks) or, in shared
 * mode, on PostgreSQL (a HikariCP pool, retried serialization failures, LISTEN/NOTIFY for caches);
 * numbered per-module migrations per {@link io.buildindex.database.Dialect}, and the
 * {@link io.buildindex.database.StoreUnavailableException} every failure to serve becomes.
 */
@NullMarked
package io.buildindex.database;

import org.jspecify.annotations.NullMarked;
