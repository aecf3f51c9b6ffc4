package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.testing.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

final class RemoteRoutesTest {
  @RegisterExtension
  static final RunningServer<TestServer> server = RunningServer.perTest(TestServer::start);

  @Test
  void replicate_existingTag_200() {
    server.get().putTag("team/app:v1", digest(1));

    assertThat(server.get().post("/remotes/tags/team%2Fapp:v1").status()).isEqualTo(200);
  }

  @Test
  void replicate_unknownTag_404() {
    assertThat(server.get().post("/remotes/tags/team%2Fapp:nope").status()).isEqualTo(404);
  }

  @Test
  void replicate_deletedTag_404() {
    server.get().putTag("team/app:v1", digest(1));
    server.get().delete("/tags/team%2Fapp:v1");

    assertThat(server.get().post("/remotes/tags/team%2Fapp:v1").status()).isEqualTo(404);
  }

  @Test
  void replicate_doesNotChangeTheTag() {
    server.get().putTag("team/app:v1", digest(1));
    String generation = server.get().getTag("team/app:v1").header("X-Tag-Generation");

    server.get().post("/remotes/tags/team%2Fapp:v1");

    assertThat(server.get().getTag("team/app:v1").text()).isEqualTo(digest(1));
    assertThat(server.get().getTag("team/app:v1").header("X-Tag-Generation")).isEqualTo(generation);
  }
}
