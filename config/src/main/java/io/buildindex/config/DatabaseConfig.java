package io.buildindex.config;

import org.jspecify.annotations.Nullable;

/**
 * The {@code database} section: where the node keeps its data when that is not its own SQLite file.
 * {@code postgres} (shared mode) replaces {@code localdb}: several nodes use one PostgreSQL database.
 * Without the section (or without {@code postgres}) the node uses {@code localdb} as before.
 */
public record DatabaseConfig(@Nullable PostgresConfig postgres) {
  /**
   * {@code database.postgres: {url, user, password (or password_file), pool_size}}. {@code url} is a
   * pgjdbc URL, {@code jdbc:postgresql://host:5432/buildindex}: anything that presents one primary
   * there (a single server, Patroni behind HAProxy or a virtual IP, a managed service's endpoint,
   * or pgjdbc's own {@code host1,host2/db?targetServerType=primary}). {@code pool_size} defaults to
   * four connections per core (between 4 and 32). {@link #toString()} never prints the password.
   */
  public record PostgresConfig(String url, String user, String password, Integer poolSize) {
    public PostgresConfig {
      url = Validate.required("url", url);
      if (!url.startsWith("jdbc:postgresql:")) {
        throw new ConfigException("url", "want a PostgreSQL JDBC URL (jdbc:postgresql://host:5432/database), got " + url);
      }
      user = Validate.required("user", user);
      password = Validate.orDefault(password, "");
      poolSize = Validate.atLeast("pool_size", 1, Validate.orDefault(poolSize, defaultPoolSize()));
    }

    /** Enough connections for the request threads that hit the database at once, within a server's budget. */
    public static int defaultPoolSize() {
      return Math.max(4, Math.min(32, Runtime.getRuntime().availableProcessors() * 4));
    }

    @Override
    public String toString() {
      return "PostgresConfig[url=" + url + ", user=" + user + ", password=" + (password.isEmpty() ? "" : "***")
          + ", poolSize=" + poolSize + "]";
    }
  }
}
