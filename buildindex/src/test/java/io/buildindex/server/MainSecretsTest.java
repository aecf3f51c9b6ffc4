package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.server.RawHttp.Response;
import io.buildindex.testing.ChildProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets from the environment ({@code ${NAME}}) and from files ({@code token_file}), through a real {@code Main}. */
final class MainSecretsTest {
  private static final String DIGEST = "sha256:" + "ab".repeat(32);

  @TempDir Path dir;

  @Test
  void main_tokensFromEnvironmentAndFile_authenticateCallers() throws IOException {
    Files.writeString(dir.resolve("reader-token"), "reader-from-file\n");
    Path config = Files.writeString(dir.resolve("config.yaml"), """
        localdb:
          source: ${DATA_DIR}/index.db
        auth:
          tokens:
            - token: ${BUILDINDEX_CI_TOKEN}
              scopes: [read, write]
            - token_file: ${DATA_DIR}/reader-token
              scopes: [read]
        """);

    try (ServerProcess server = ServerProcess.start(dir, config,
        Map.of("BUILDINDEX_CI_TOKEN", "ci-from-env", "DATA_DIR", dir.toString()))) {
      Response put = server.http().send("PUT", "/tags/team%2Fapp:v1/digest/" + DIGEST,
          Map.of("Authorization", "Bearer ci-from-env"), new byte[0]);
      Response get = server.http().send("GET", "/tags/team%2Fapp:v1", Map.of("Authorization", "Bearer reader-from-file"),
          new byte[0]);
      Response anonymous = server.send("GET", "/tags/team%2Fapp:v1");
      Response literal = server.http().send("GET", "/tags/team%2Fapp:v1", Map.of("Authorization", "Bearer ${BUILDINDEX_CI_TOKEN}"),
          new byte[0]);

      assertThat(put.status()).as(put.toString()).isEqualTo(200);
      assertThat(get.status()).as(get.toString()).isEqualTo(200);
      assertThat(new String(get.body(), StandardCharsets.UTF_8)).isEqualTo(DIGEST);
      assertThat(anonymous.status()).isEqualTo(401);
      assertThat(literal.status()).as("the reference is not a token").isEqualTo(401);
      assertThat(dir.resolve("index.db")).as("localdb.source from the environment").exists();
    }
  }

  @Test
  void main_variableNotSet_exits2NamingKeyAndVariable() throws IOException {
    Path config = Files.writeString(dir.resolve("config.yaml"), """
        auth:
          tokens:
            - token: ${BUILDINDEX_TEST_SURELY_UNSET_TOKEN}
              scopes: [read]
        """);

    ChildProcess p = ServerProcess.launch(dir, "main", "--config", config.toString(), "--port", "0");
    int exit = p.awaitExit();

    assertThat(exit).as(p.log()).isEqualTo(2);
    assertThat(p.log()).contains(
        "build-index: auth.tokens[0].token: environment variable BUILDINDEX_TEST_SURELY_UNSET_TOKEN is not set");
    assertThat(dir.resolve("data")).as("nothing opened").doesNotExist();
  }
}
