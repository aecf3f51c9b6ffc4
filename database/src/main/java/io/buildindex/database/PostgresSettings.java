package io.buildindex.database;

import java.util.Objects;

/**
 * How to reach the shared PostgreSQL database: a pgjdbc URL ({@code jdbc:postgresql://host:5432/db}),
 * the user and password, and the size of the node's connection pool (its default is the
 * configuration's, {@code database.postgres.pool_size}).
 */
public record PostgresSettings(String url, String user, String password, int poolSize) {
  public PostgresSettings {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database): " + url);
    }
    if (poolSize < 1) {
      throw new IllegalArgumentException("pool size must be at least 1: " + poolSize);
    }
  }

  /** Never prints the password (logs and exceptions show settings). */
  @Override
  public String toString() {
    return "PostgresSettings[url=" + url + ", user=" + user + ", poolSize=" + poolSize + "]";
  }
}
