package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.buildindex.docker.testing.OciImages;
import io.buildindex.docker.testing.OciImages.Image;
import io.buildindex.docker.testing.Skopeo;
import io.buildindex.testing.Poll;
import java.nio.file.Path;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The other datacenter's registry is down while a tag replicates: the task fails with an origin
 * error and keeps retrying, the tag does not reach build-index B before its image, and once the
 * registry is back (same port, same storage) replication completes without help.
 */
final class DockerRegistryOutageTest {
  @TempDir
  Path dir;

  @Test
  void remoteRegistryDown_failsWithOriginErrorThenCompletesWhenBack() {
    OkHttpClient http = new OkHttpClient();
    try (DockerDatacenters dcs = DockerDatacenters.start(dir)) {
      dcs.registryB.stop();
      Image image = OciImages.image(7, 200 * 1024);

      // Registry A notifies build-index A, which registers the tag and replicates it.
      OciImages.push(http, dcs.registryA.url(), "team/app", "v1", image);

      Poll.until(DockerDatacenters.REPLICATION_TIMEOUT, "failed replication of team/app:v1",
          () -> dcs.taskToBIs("team/app:v1", "failed"),
          () -> "tasks on A: " + dcs.tasksOnA("team/app:v1") + "\nbuild-index A log:\n"
              + DockerDatacenters.tail(dcs.buildIndexA.log()));
      JsonNode failed = dcs.taskToB("team/app:v1");
      assertThat(failed.path("last_error").asText()).startsWith("origin: ").contains(dcs.registryB.url());
      assertThat(dcs.buildIndexB.get("/tags/team%2Fapp:v1").status()).as("tag on B before its image").isEqualTo(404);

      dcs.registryB.restart();

      dcs.awaitReplicated("team/app:v1", image.digest().toString());
      assertThat(dcs.taskToB("team/app:v1").path("attempts").asInt()).isGreaterThan(1);
      assertThat(Skopeo.inspect(dcs.registryB.hostPort(), "team/app", "v1").path("Digest").asText())
          .isEqualTo(image.digest().toString());
    } finally {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }
}
