package io.buildindex.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.buildindex.config.DatabaseConfig.PostgresConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code database.postgres} section (shared mode). */
final class DatabaseConfigTest {
  private static final String SECTION = """
      database:
        postgres:
          url: jdbc:postgresql://db.internal:5432/buildindex
          user: buildindex
      """;

  @TempDir Path dir;

  @Test
  void parse_noDatabaseSection_sqliteAsBefore() {
    BuildIndexConfig c = ConfigLoader.parse("localdb: {source: ./x.db}\n");

    assertThat(c.database()).isNull();
    assertThat(c.postgres()).isNull();
    assertThat(c.localdb().source()).isEqualTo(Path.of("./x.db"));
  }

  @Test
  void parse_fullSection_bindsEveryKey() {
    BuildIndexConfig c = ConfigLoader.parse(SECTION + "    password: secret\n    pool_size: 7\n");

    assertThat(c.postgres()).isEqualTo(new PostgresConfig("jdbc:postgresql://db.internal:5432/buildindex", "buildindex", "secret", 7));
  }

  @Test
  void parse_withoutPoolSize_defaultsFromTheCores() {
    PostgresConfig pg = ConfigLoader.parse(SECTION).postgres();

    assertThat(pg).isNotNull();
    assertThat(pg.poolSize()).isEqualTo(PostgresConfig.defaultPoolSize()).isBetween(4, 32);
    assertThat(pg.password()).isEmpty();
  }

  @Test
  void parse_passwordFromEnvironment() {
    PostgresConfig pg = ConfigLoader.parse(SECTION + "    password: ${DB_PASSWORD}\n", Map.of("DB_PASSWORD", "from-env")).postgres();

    assertThat(pg.password()).isEqualTo("from-env");
  }

  @Test
  void parse_passwordFile_readWithoutItsFinalNewline() throws IOException {
    Path secret = Files.writeString(dir.resolve("db-password"), "from-file\n");

    PostgresConfig pg = ConfigLoader.parse(SECTION + "    password_file: " + secret + "\n").postgres();

    assertThat(pg.password()).isEqualTo("from-file");
  }

  @Test
  void parse_passwordAndPasswordFile_refused() throws IOException {
    Path secret = Files.writeString(dir.resolve("db-password"), "from-file\n");

    assertThatThrownBy(() -> ConfigLoader.parse(SECTION + "    password: x\n    password_file: " + secret + "\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("database.postgres.password_file: set password or password_file, not both");
  }

  @Test
  void parse_typoInAKey_failsNamingIt() {
    assertThatThrownBy(() -> ConfigLoader.parse(SECTION + "    pool_sise: 3\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("database.postgres.pool_sise: unknown key");
    assertThatThrownBy(() -> ConfigLoader.parse("database:\n  postgress: {url: x}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("database.postgress: unknown key");
  }

  @Test
  void parse_badValues_failNamingTheKey() {
    assertThatThrownBy(() -> ConfigLoader.parse("database:\n  postgres: {url: 'postgres://h/db', user: u}\n"))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("database.postgres.url: want a PostgreSQL JDBC URL");
    assertThatThrownBy(() -> ConfigLoader.parse("database:\n  postgres: {url: 'jdbc:postgresql://h/db'}\n"))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("database.postgres.user:");
    assertThatThrownBy(() -> ConfigLoader.parse(SECTION + "    pool_size: 0\n"))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("database.postgres.pool_size: must be >= 1");
  }

  @Test
  void toString_neverPrintsThePassword() {
    PostgresConfig pg = ConfigLoader.parse(SECTION + "    password: hunter2\n").postgres();

    assertThat(pg.toString()).doesNotContain("hunter2").contains("db.internal");
  }

  @Test
  void example_postgres3Nodes_loads() {
    Path example = examples().resolve("postgres-3-nodes.yaml");

    BuildIndexConfig c = ConfigLoader.loadWithWarnings(example, Map.of("BUILDINDEX_DB_PASSWORD", "pw")).config();

    assertThat(c.postgres()).isEqualTo(new PostgresConfig("jdbc:postgresql://127.0.0.1:5432/buildindex", "buildindex", "pw", 16));
    assertThat(c.cluster()).isNull();
  }

  /** {@code config/examples}: the tests run in the module's directory. */
  private static Path examples() {
    Path p = Path.of("examples");
    return Files.isDirectory(p) ? p : Path.of("config", "examples");
  }
}
