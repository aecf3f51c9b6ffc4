package io.buildindex.config;

import java.nio.file.Path;

/** The {@code localdb} section: the SQLite file holding tags, history and replication tasks. */
public record LocalDbConfig(Path source) {
  public static final Path DEFAULT_SOURCE = Path.of("data", "index.db");

  public LocalDbConfig {
    source = Validate.orDefault(source, DEFAULT_SOURCE);
  }

  public static LocalDbConfig defaults() {
    return new LocalDbConfig(null);
  }
}
