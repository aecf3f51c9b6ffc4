package io.buildindex.server;

import io.buildindex.testing.Poll;
import io.buildindex.testing.FreePorts;
import io.buildindex.docker.testing.RegistryProcess;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.buildindex.docker.testing.OciImages;
import io.buildindex.docker.testing.OciImages.Image;
import io.buildindex.docker.testing.Skopeo;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reconciliation with a real {@code docker-registry} that sends no notifications: images pushed
 * with skopeo appear in build-index within the interval, and a tag build-index holds at another
 * digest is listed, not overwritten.
 */
final class RegistryReconciliationTest {
  @TempDir Path dir;

  @Test
  void noNotifications_pushedTagRegisteredWithinTheInterval_differingTagListedNotOverwritten() {
    Image first = OciImages.image(21, 16 * 1024);
    Image second = OciImages.image(22, 24 * 1024);
    try (RegistryProcess registry = RegistryProcess.start(dir.resolve("registry"));
         DockerNode node = DockerNode.start(dir.resolve("build-index"), yaml(registry.url()), FreePorts.one(), List.of())) {
      push(first, registry, "team/app", "v1");
      // CI said v2 is the first image; the registry's v2 is then pushed as another one.
      assertThat(node.put("/tags/team%2Fapp:v2/digest/" + first.digest()).status()).isEqualTo(200);
      push(second, registry, "team/app", "v2");
      push(second, registry, "ops/tool", "1.0");

      Poll.until(DockerDatacenters.REPLICATION_TIMEOUT, "team/app:v1 and ops/tool:1.0 registered by reconciliation",
          () -> first.digest().toString().equals(node.get("/tags/team%2Fapp:v1").text())
              && second.digest().toString().equals(node.get("/tags/ops%2Ftool:1.0").text()),
          () -> DockerDatacenters.tail(node.log()));
      JsonNode status = reconciliationAfterAllPushes(node);

      assertThat(node.get("/tags/team%2Fapp:v2").text()).as("CI's digest stays").isEqualTo(first.digest().toString());
      assertThat(status.get("state").asText()).isEqualTo("ok");
      assertThat(status.get("registry").asText()).isEqualTo(registry.url());
      assertThat(status.get("repositories").asLong()).isEqualTo(2);
      assertThat(status.get("tags_seen").asLong()).isEqualTo(3);
      assertThat(status.get("differing_count").asLong()).isEqualTo(1);
      JsonNode differing = status.get("differing").get(0);
      assertThat(differing.get("tag").asText()).isEqualTo("team/app:v2");
      assertThat(differing.get("registry_digest").asText()).isEqualTo(second.digest().toString());
      assertThat(differing.get("build_index_digest").asText()).isEqualTo(first.digest().toString());
      assertThat(status.get("registered_total").asLong()).isEqualTo(2);
      assertThat(node.log()).contains("registered (no notification announced them)");
      assertThat(node.get("/metrics").text()).containsPattern("docker_reconcile_registered(_total)? 2");
      assertThat(node.get("/tags/team%2Fapp:v1/history").json()).as("registered once, not at every walk").hasSize(1);
    }
  }

  /* A walk that started after the last push has seen all three tags. */
  private static JsonNode reconciliationAfterAllPushes(DockerNode node) {
    JsonNode[] last = new JsonNode[1];
    Poll.until(DockerDatacenters.REPLICATION_TIMEOUT, "a finished walk that saw every tag", () -> {
      last[0] = node.get("/origin/reconciliation").json();
      return last[0].get("state").asText().equals("ok") && last[0].get("tags_seen").asLong() == 3
          && last[0].get("differing_count").asLong() == 1;
    }, () -> String.valueOf(last[0]));
    return last[0];
  }

  private void push(Image image, RegistryProcess registry, String repository, String tag) {
    Path layout = DockerOciLayout.write(dir.resolve("layout-" + repository.replace('/', '-') + "-" + tag), image, tag);
    DockerSkopeo.copy(DockerSkopeo.oci(layout, tag), DockerSkopeo.docker(registry.hostPort(), repository, tag), false);
    assertThat(Skopeo.inspect(registry.hostPort(), repository, tag).path("Digest").asText()).isEqualTo(image.digest().toString());
  }

  private static String yaml(String registryUrl) {
    return "localdb: {source: ./index.db}\n"
        + "tag_types:\n"
        + "  - {namespace: \"team/.*\", type: docker}\n"
        + "  - {namespace: \".*\", type: default}\n"
        + "origin:\n  registry: {url: \"" + registryUrl + "\", reconcile_interval: 1s}\n";
  }
}
