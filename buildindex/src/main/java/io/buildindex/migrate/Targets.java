package io.buildindex.migrate;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.BuildIndexConfig;
import io.buildindex.config.ConfigException;
import io.buildindex.config.DatabaseConfig;
import io.buildindex.database.Databases;
import io.buildindex.database.LocalDb;
import io.buildindex.database.PostgresSettings;

/** Opens the database a configuration's nodes use in shared mode: the migration's target. */
final class Targets {
  private Targets() {}

  /**
   * Throws {@link ConfigException} when the configuration has no {@code database.postgres} section,
   * {@link io.buildindex.database.StoreUnavailableException} when the database cannot be reached.
   */
  static LocalDb open(BuildIndexConfig config) {
    DatabaseConfig.PostgresConfig pg = config.postgres();
    if (pg == null) {
      throw new ConfigException("database.postgres", "the configuration names no PostgreSQL database to migrate to");
    }
    // One connection: the copy is one batch at a time.
    return Databases.postgres(new PostgresSettings(pg.url(), pg.user(), pg.password(), 2), new MetricRegistry());
  }
}
