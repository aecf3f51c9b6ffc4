package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class RemoteRoutesTest {
  @TempDir Path dir;
  TestServer server;

  @BeforeEach
  void start() {
    server = TestServer.start(dir);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void replicate_existingTag_200() {
    server.putTag("team/app:v1", digest(1));

    assertThat(server.post("/remotes/tags/team%2Fapp:v1").status()).isEqualTo(200);
  }

  @Test
  void replicate_unknownTag_404() {
    assertThat(server.post("/remotes/tags/team%2Fapp:nope").status()).isEqualTo(404);
  }

  @Test
  void replicate_deletedTag_404() {
    server.putTag("team/app:v1", digest(1));
    server.delete("/tags/team%2Fapp:v1");

    assertThat(server.post("/remotes/tags/team%2Fapp:v1").status()).isEqualTo(404);
  }

  @Test
  void replicate_doesNotChangeTheTag() {
    server.putTag("team/app:v1", digest(1));
    String generation = server.getTag("team/app:v1").header("X-Tag-Generation");

    server.post("/remotes/tags/team%2Fapp:v1");

    assertThat(server.getTag("team/app:v1").text()).isEqualTo(digest(1));
    assertThat(server.getTag("team/app:v1").header("X-Tag-Generation")).isEqualTo(generation);
  }
}
