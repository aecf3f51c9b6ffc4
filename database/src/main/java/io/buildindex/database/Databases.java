package io.buildindex.database;

import com.codahale.metrics.MetricRegistry;
import java.nio.file.Path;

/** Opens the node's {@link LocalDb}: the one place that names an implementation. */
public final class Databases {
  private Databases() {}

  /**
   * Opens the SQLite database in {@code file} (created with its directory when absent), taking the
   * data directory's lock for this process. Throws {@link StoreUnavailableException} when the file
   * is locked by another node, empty, or cannot be opened. Apply migrations with {@link LocalDb#migrate}.
   */
  public static LocalDb sqlite(Path file, MetricRegistry metrics) {
    return SqliteLocalDb.open(file, metrics);
  }

  /**
   * Opens a pool of connections to the shared PostgreSQL database (shared mode). Throws
   * {@link StoreUnavailableException} when it cannot be reached within a few seconds. Apply
   * migrations with {@link LocalDb#migrate}.
   */
  public static LocalDb postgres(PostgresSettings settings, MetricRegistry metrics) {
    return PostgresLocalDb.open(settings, metrics);
  }
}
