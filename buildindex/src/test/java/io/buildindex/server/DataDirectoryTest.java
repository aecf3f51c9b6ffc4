package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.server.RawHttp.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data directory on real server processes: one node at a time on a database, an empty
 * {@code index.db} refused at start, and a {@code -wal} deleted under a running node failing it
 * closed (503 and unready) instead of acknowledging writes that are then lost.
 */
final class DataDirectoryTest {
  @TempDir Path dir;
  private Path config;
  private Path db;

  @BeforeEach
  void writeConfig() throws IOException {
    db = dir.resolve("data").resolve("index.db");
    config = dir.resolve("config.yaml");
    Files.writeString(config, "localdb:\n  source: '" + db.toString().replace("'", "''") + "'\n");
  }

  @Test
  void secondServerOnTheSameDatabase_exitsNamingTheHolder() throws Exception {
    try (ServerProcess first = ServerProcess.start(dir, config)) {
      assertThat(first.send("PUT", "/tags/team%2Fapp:v1/digest/" + digest(1)).status()).isEqualTo(200);

      Path log = dir.resolve("second.log");
      Process second = ServerProcess.launch(dir, log, "--config", config.toString(),
          "--port", Integer.toString(ServerProcess.freePort()));

      assertThat(second.waitFor(ServerProcess.EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      String output = Files.readString(log);
      assertThat(second.exitValue()).as(output).isNotZero();
      assertThat(output).contains("in use by another build-index").contains("pid " + first.pid()).contains("index.db.lock");
      assertThat(first.send("GET", "/tags/team%2Fapp:v1").text()).isEqualTo(digest(1));
      assertThat(first.send("GET", "/readiness").status()).isEqualTo(200);
    }
  }

  @Test
  void restartAfterKill9_lockReleasedByTheSystem() {
    try (ServerProcess first = ServerProcess.start(dir, config)) {
      assertThat(first.send("PUT", "/tags/team%2Fapp:v1/digest/" + digest(1)).status()).isEqualTo(200);
      first.kill();
    }
    try (ServerProcess again = ServerProcess.start(dir, config)) {
      assertThat(again.send("GET", "/tags/team%2Fapp:v1").text()).isEqualTo(digest(1));
    }
  }

  @Test
  void zeroLengthDatabase_refusedAtStart() throws Exception {
    Files.createDirectories(db.getParent());
    Files.createFile(db);

    Path log = dir.resolve("empty.log");
    Process p = ServerProcess.launch(dir, log, "--config", config.toString(), "--port", Integer.toString(ServerProcess.freePort()));

    assertThat(p.waitFor(ServerProcess.EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    String output = Files.readString(log);
    assertThat(p.exitValue()).as(output).isNotZero();
    assertThat(output).contains("empty (0 bytes)");
    assertThat(Files.size(db)).isZero();
  }

  @Test
  void walDeletedUnderARunningServer_writesAre503AndTheNodeUnready() throws IOException {
    try (ServerProcess server = ServerProcess.start(dir, config)) {
      assertThat(server.send("PUT", "/tags/team%2Fapp:v1/digest/" + digest(1)).status()).isEqualTo(200);
      Path wal = db.resolveSibling("index.db-wal");
      assertThat(wal).exists();

      Files.delete(wal);
      Response put = server.send("PUT", "/tags/team%2Fapp:v2/digest/" + digest(2));

      assertThat(put.status()).as(put.toString()).isEqualTo(503);
      assertThat(put.json().get("message").asText()).contains("write-ahead log");
      assertThat(server.send("GET", "/readiness").status()).isEqualTo(503);
      assertThat(server.send("PUT", "/tags/team%2Fapp:v3/digest/" + digest(3)).status()).isEqualTo(503);
    }
  }
}
