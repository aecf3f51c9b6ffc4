package io.buildindex.migrate;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.BuildIndexConfig;
import io.buildindex.config.ConfigException;
import io.buildindex.database.LocalDb;

/** Opens the database a configuration's nodes use in shared mode: the migration's target. */
final class Targets {
  private Targets() {}

  /** Throws {@link ConfigException} when the configuration has no {@code database.postgres} section. */
  static LocalDb open(BuildIndexConfig config) {
    throw new ConfigException("database.postgres", "the configuration names no PostgreSQL database to migrate to");
  }

  static MetricRegistry metrics() {
    return new MetricRegistry();
  }
}
