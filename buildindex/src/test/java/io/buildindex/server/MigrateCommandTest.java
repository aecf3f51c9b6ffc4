package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.database.testing.PostgresFixture;
import io.buildindex.testing.ChildProcess;
import io.buildindex.testing.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code buildindex migrate} end to end, in real processes: a SQLite node takes writes (puts, an
 * overwrite, a delete, replication tasks to a remote that is down), stops, and the command copies
 * its file into a real PostgreSQL; run again, it copies nothing twice. It refuses while the node
 * still runs, and bad arguments exit 2 with the usage.
 */
final class MigrateCommandTest {
  static final String D1 = "sha256:" + "a1".repeat(32);
  static final String D2 = "sha256:" + "b2".repeat(32);

  private record Result(int exit, String output) {}

  @TempDir Path dir;
  private PostgresFixture pg;
  private Path pgConfig;

  @BeforeEach
  void setUp() throws IOException {
    pg = PostgresFixture.create();
    pgConfig = dir.resolve("shared.yaml");
    Files.writeString(pgConfig, "database:\n  postgres:\n    url: " + pg.url() + "\n    user: " + pg.user()
        + "\n    password: " + pg.password() + "\n");
  }

  @AfterEach
  void tearDown() {
    pg.close();
  }

  private Result migrate(String... args) {
    List<String> all = new ArrayList<>(List.of("migrate"));
    all.addAll(List.of(args));
    ChildProcess p = ServerProcess.main(dir, "migrate-" + System.nanoTime(), ChildProcess.FAST_START,
        all.toArray(String[]::new)).build().launch();
    return new Result(p.awaitExit(), p.log());
  }

  private List<String> strings(String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = pg.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  @Test
  void migrate_copiesAStoppedNodesData_andRerunCopiesNothingTwice() throws Exception {
    int deadRemote = FreePorts.one(); // nothing listens there: the tasks stay queued
    String db = dir.resolve("index.db").toString();
    try (ServerProcess node = ServerProcess.startWithYaml(dir, "remotes:\n  127.0.0.1:" + deadRemote + ": ['^team/']\n"
        + "tag_replication:\n  retry_interval: 1h\n  max_retry_interval: 1h\n")) {
      for (int i = 0; i < 30; i++) {
        assertThat(node.send("PUT", "/tags/team%2Fapp:v" + i + "/digest/" + D1 + "?replicate=true").status()).isEqualTo(200);
      }
      assertThat(node.send("PUT", "/tags/team%2Fapp:v0/digest/" + D2 + "?replicate=true").status()).isEqualTo(200);
      assertThat(node.send("DELETE", "/tags/team%2Fapp:v1").status()).isEqualTo(204);

      Result whileRunning = migrate("--from", db, "--to-config", pgConfig.toString());
      assertThat(whileRunning.exit()).as(whileRunning.output()).isEqualTo(1);
      assertThat(whileRunning.output()).contains("build-index migrate:").contains("lock");
      node.stop();
    }

    Result first = migrate("--from", db, "--to-config", pgConfig.toString(), "--batch", "7");
    assertThat(first.exit()).as(first.output()).isZero();
    assertThat(first.output()).contains("migrate: tags: 30 rows read").contains("migrate: done");

    assertThat(strings("SELECT COUNT(*) FROM tags")).containsExactly("30");
    assertThat(strings("SELECT digest FROM tags WHERE tag = 'team/app:v0'")).containsExactly(D2);
    assertThat(strings("SELECT COUNT(*) FROM tags WHERE tag = 'team/app:v1' AND digest IS NULL")).containsExactly("1");
    assertThat(strings("SELECT COUNT(*) FROM tag_history")).containsExactly("31");
    assertThat(strings("SELECT tag || ' ' || state || ' ' || destination FROM replication_tasks "
        + "WHERE state NOT IN ('pending', 'failed') OR destination <> '127.0.0.1:" + deadRemote + "'")).isEmpty();
    assertThat(strings("SELECT COUNT(*) FROM replication_tasks")).containsExactly("30");
    assertThat(strings("SELECT digest IS NULL FROM replication_tasks WHERE tag = 'team/app:v1'")).containsExactly("t");

    Result again = migrate("--from", db, "--to-config", pgConfig.toString());
    assertThat(again.exit()).as(again.output()).isZero();
    assertThat(again.output()).contains("migrate: tags: already copied").contains("migrate: done");
    assertThat(strings("SELECT COUNT(*) FROM tag_history")).containsExactly("31");
    assertThat(strings("SELECT COUNT(*) FROM replication_tasks")).containsExactly("30");
  }

  @Test
  void migrate_badArguments_exit2WithUsage() {
    Result missing = migrate("--from", dir.resolve("index.db").toString());
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.output()).contains("--from and --to-config are required").contains("usage: buildindex migrate");

    Result absent = migrate("--from", dir.resolve("absent.db").toString(), "--to-config", pgConfig.toString());
    assertThat(absent.exit()).isEqualTo(2);
    assertThat(absent.output()).contains("no SQLite database at");
    assertThat(dir.resolve("absent.db")).doesNotExist();
  }

  @Test
  void migrate_configWithoutPostgres_exit2NamingTheKey() throws IOException {
    Files.writeString(dir.resolve("index.db"), "");
    Path sqliteOnly = dir.resolve("sqlite.yaml");
    Files.writeString(sqliteOnly, "localdb:\n  source: index.db\n");
    Result r = migrate("--from", dir.resolve("index.db").toString(), "--to-config", sqliteOnly.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.output()).contains("database.postgres");
  }
}
