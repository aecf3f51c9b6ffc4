package io.buildindex.database.testing;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.database.Dialect;
import io.buildindex.database.LocalDb;
import java.nio.file.Path;
import java.util.List;

/**
 * A temporary {@link LocalDb} of either {@link Dialect}, for tests that run against both
 * (JUnit's {@code @ParameterizedClass @EnumSource(Dialect.class)}): SQLite through
 * {@link SqliteFixture}, PostgreSQL through {@link PostgresFixture} (a fresh database; the test is
 * skipped when PostgreSQL is not installed). {@link #reopen} closes and opens the database as a
 * restart does; {@link #anotherNode} opens a second {@link LocalDb} on the same PostgreSQL database,
 * as another node of a shared-mode cluster. Not thread-safe: use from the test thread.
 */
public final class DbFixture implements AutoCloseable {
  private final Dialect dialect;
  private final List<String> modules;
  private final SqliteFixture sqlite;
  private final PostgresFixture postgres;
  private LocalDb db;
  /** PostgreSQL: the metrics of {@link #db} (SQLite's fixture keeps its own). */
  private MetricRegistry postgresMetrics = new MetricRegistry();

  private DbFixture(Dialect dialect, Path dir, List<String> modules) {
    this.dialect = dialect;
    this.modules = List.copyOf(modules);
    if (dialect == Dialect.SQLITE) {
      this.sqlite = SqliteFixture.open(dir, modules.toArray(String[]::new));
      this.postgres = null;
      this.db = sqlite.db();
    } else {
      this.sqlite = null;
      this.postgres = PostgresFixture.create();
      this.db = postgres.open(postgresMetrics, modules.toArray(String[]::new));
    }
  }

  /** Opens a database of {@code dialect} (SQLite: in {@code dir}) with {@code modules}' migrations applied. */
  public static DbFixture open(Dialect dialect, Path dir, String... modules) {
    return new DbFixture(dialect, dir, List.of(modules));
  }

  public Dialect dialect() {
    return dialect;
  }

  public LocalDb db() {
    return db;
  }

  /** The metrics of {@link #db}: a new registry after {@link #reopen}. */
  public MetricRegistry metrics() {
    return sqlite != null ? sqlite.metrics() : postgresMetrics;
  }

  /** Closes the database and opens it again, re-running the migrations as start-up does. */
  public void reopen() {
    if (sqlite != null) {
      sqlite.reopen();
      db = sqlite.db();
    } else {
      db.close();
      postgresMetrics = new MetricRegistry();
      db = postgres.open(postgresMetrics, modules.toArray(String[]::new));
    }
  }

  /** PostgreSQL only: another node's {@link LocalDb} on the same database (closed with the fixture). */
  public LocalDb anotherNode() {
    if (postgres == null) {
      throw new UnsupportedOperationException("a SQLite database belongs to one node");
    }
    return postgres.open(modules.toArray(String[]::new));
  }

  /** PostgreSQL only: the server fixture, for outage tests. */
  public PostgresFixture postgres() {
    if (postgres == null) {
      throw new UnsupportedOperationException("not PostgreSQL");
    }
    return postgres;
  }

  @Override
  public void close() {
    if (sqlite != null) {
      sqlite.close();
    } else {
      postgres.close();
    }
  }
}
