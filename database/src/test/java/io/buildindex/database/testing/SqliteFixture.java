package io.buildindex.database.testing;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.database.Databases;
import io.buildindex.database.LocalDb;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link LocalDb} on a file in a test's temporary directory with the given modules' migrations
 * applied (Kraken's {@code localdb.Fixture(t)}). {@link #reopen} closes and opens the same file as
 * a restart does. Each open gets a fresh {@link MetricRegistry} so metric assertions see only that
 * database. The one temporary-database fixture of the tag store's and the replication queue's tests
 * (a module's migrations are on the test classpath through its jar). Not thread-safe: open, reopen
 * and close from the test thread.
 *
 * <pre>{@code
 * @TempDir Path dir;
 * try (SqliteFixture f = SqliteFixture.open(dir, "tagstore")) { ... f.db() ... }
 * }</pre>
 */
public final class SqliteFixture implements AutoCloseable {
  /** Test-only migrations in this test-jar, {@code db/localdbtest}: tables items and seeds. */
  public static final String TEST_MODULE = "localdbtest";

  private final Path file;
  private final List<String> modules;
  private MetricRegistry metrics;
  private LocalDb db;

  private SqliteFixture(Path file, List<String> modules) {
    this.file = file;
    this.modules = List.copyOf(modules);
    this.metrics = new MetricRegistry();
    this.db = openDb();
  }

  /** Opens {@code dir/node.db} and applies the migrations of {@code modules}, in order. */
  public static SqliteFixture open(Path dir, String... modules) {
    return new SqliteFixture(dir.resolve("node.db"), List.of(modules));
  }

  private LocalDb openDb() {
    LocalDb opened = Databases.sqlite(file, metrics);
    for (String module : modules) {
      opened.migrate(module);
    }
    return opened;
  }

  public LocalDb db() {
    return db;
  }

  public MetricRegistry metrics() {
    return metrics;
  }

  public Path file() {
    return file;
  }

  /** Closes the database and opens the same file again, re-running {@code migrate} as startup does. */
  public void reopen() {
    db.close();
    metrics = new MetricRegistry();
    db = openDb();
  }

  @Override
  public void close() {
    db.close();
  }
}
