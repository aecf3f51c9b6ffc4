/**
 * {@code buildindex migrate}: moving a SQLite node's data into the PostgreSQL database that nodes
 * in shared mode use ({@link io.buildindex.migrate.MigrateCommand}).
 */
@NullMarked
package io.buildindex.migrate;

import org.jspecify.annotations.NullMarked;
