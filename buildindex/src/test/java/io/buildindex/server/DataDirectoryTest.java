package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.server.RawHttp.Response;
import io.buildindex.testing.ChildProcess;
import io.buildindex.testing.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

      ChildProcess second = ServerProcess.launch(dir, "second", "--config", config.toString(),
          "--port", Integer.toString(FreePorts.one()));

      int exit = second.awaitExit();
      String output = second.log();
      assertThat(exit).as(output).isNotZero();
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

    ChildProcess p = ServerProcess.launch(dir, "empty", "--config", config.toString(), "--port", Integer.toString(FreePorts.one()));

    int exit = p.awaitExit();
    String output = p.log();
    assertThat(exit).as(output).isNotZero();
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
