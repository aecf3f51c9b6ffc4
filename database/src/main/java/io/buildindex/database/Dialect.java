package io.buildindex.database;

/**
 * The SQL dialect of a {@link LocalDb}, so that a module picks its statements and migrations
 * ({@code db/<module>/migrations.txt} for SQLite, {@code db/<module>/postgres/migrations.txt} for
 * PostgreSQL).
 */
public enum Dialect {
  /** The node's own embedded database: one writer, no other node writes to it. */
  SQLITE,
  /** Shared mode: several nodes write to one PostgreSQL database. */
  POSTGRES;

  /** Whether other nodes may write to the same database (so caches must listen for their writes). */
  public boolean shared() {
    return this == POSTGRES;
  }

  /** The classpath folder of {@code module}'s migrations for this dialect. */
  String migrationsFolder(String module) {
    return this == SQLITE ? "db/" + module : "db/" + module + "/postgres";
  }
}
