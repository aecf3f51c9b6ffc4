package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.server.RawHttp.Response;
import io.buildindex.testing.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server as a real process: what it acknowledged survives SIGTERM and kill -9. */
final class DurabilityTest {
  @TempDir Path dir;
  Path config;
  Path db;

  @BeforeEach
  void writeConfig() throws Exception {
    db = dir.resolve("data").resolve("index.db");
    config = dir.resolve("build-index.yaml");
    Files.writeString(config, "localdb:\n  source: '" + db.toString().replace("'", "''") + "'\n");
  }

  @Test
  void sigterm_exitsCleanly_tagsSurviveRestart() {
    try (ServerProcess server = ServerProcess.start(dir, config)) {
      for (int i = 0; i < 20; i++) {
        assertThat(put(server, "team/app:v" + i, digest(i)).status()).isEqualTo(200);
      }
      put(server, "team/app:v0", digest(100));
      assertThat(server.send("DELETE", "/tags/team%2Fapp:v1").status()).isEqualTo(204);

      int exit = server.stop();

      assertThat(exit).as(server.log()).isIn(0, 143);
      assertThat(server.log()).contains("stopped");
    }
    try (ServerProcess server = ServerProcess.start(dir, config)) {
      assertThat(server.send("GET", "/tags/team%2Fapp:v0").text()).isEqualTo(digest(100));
      assertThat(server.send("GET", "/tags/team%2Fapp:v1").status()).isEqualTo(404);
      for (int i = 2; i < 20; i++) {
        assertThat(server.send("GET", "/tags/team%2Fapp:v" + i).text()).isEqualTo(digest(i));
      }
      assertThat(server.send("GET", "/tags/team%2Fapp:v0/history").json()).hasSize(2);
      assertThat(server.send("GET", "/repositories/team%2Fapp/tags").json().get("size").asInt()).isEqualTo(19);
    }
  }

  @Test
  void kill9_midStream_everyAcknowledgedPutSurvives() throws Exception {
    Map<String, String> acknowledged = new ConcurrentHashMap<>();
    try (ServerProcess server = ServerProcess.start(dir, config)) {
      AtomicBoolean killed = new AtomicBoolean();
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < 16; w++) {
        int writer = w;
        writers.add(Thread.ofPlatform().name("writer-" + w).start(() -> {
          for (int i = 0; !killed.get(); i++) {
            String tag = "load/w" + writer + ":t" + i;
            String digest = digest(writer * 1_000_000L + i);
            try {
              if (put(server, tag, digest).status() == 200) {
                acknowledged.put(tag, digest);
              }
            } catch (RuntimeException e) {
              // refused or cut off by the kill: not acknowledged
            }
          }
        }));
      }
      awaitAtLeast(acknowledged, 500);

      server.kill();
      killed.set(true);
      for (Thread t : writers) {
        t.join(Duration.ofSeconds(60));
        assertThat(t.isAlive()).isFalse();
      }
    }

    assertThat(integrityCheck()).isEqualTo("ok");
    assertThat(digestsInFile(acknowledged.keySet())).containsAllEntriesOf(acknowledged);
    try (ServerProcess server = ServerProcess.start(dir, config)) {
      acknowledged.forEach((tag, digest) ->
          assertThat(server.send("GET", "/tags/" + TestServer.escape(tag)).text()).as(tag).isEqualTo(digest));
    }
  }

  private static Response put(ServerProcess server, String tag, String digest) {
    return server.send("PUT", "/tags/" + TestServer.escape(tag) + "/digest/" + digest);
  }

  private static void awaitAtLeast(Map<?, ?> acknowledged, int count) {
    Poll.until(Duration.ofSeconds(120), count + " writes acknowledged", () -> acknowledged.size() >= count,
        () -> "acknowledged only " + acknowledged.size());
  }

  private String integrityCheck() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }

  private Map<String, String> digestsInFile(java.util.Set<String> tags) throws Exception {
    Map<String, String> found = new java.util.HashMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
         PreparedStatement q = c.prepareStatement("SELECT digest FROM tags WHERE tag = ?")) {
      for (String tag : tags) {
        q.setString(1, tag);
        try (ResultSet rs = q.executeQuery()) {
          if (rs.next()) {
            found.put(tag, rs.getString(1));
          }
        }
      }
    }
    return found;
  }
}
