package io.buildindex.server;

import io.buildindex.testing.Poll;
import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.docker.testing.OciImages;
import io.buildindex.docker.testing.OciImages.Image;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verification of image tags on real registries: build-index B still holds the tag, but registry B
 * lost its manifest (a restore from an old backup); A's verification finds it gone and copies the
 * image again.
 */
final class DockerVerificationTest {
  private static final String ACCEPT = String.join(", ", OciImages.OCI_INDEX, OciImages.OCI_MANIFEST);

  @TempDir Path dir;
  private final OkHttpClient http = new OkHttpClient();

  @Test
  void manifestGoneFromRemoteRegistry_copiedAgainByVerification() {
    try (DockerDatacenters dcs = DockerDatacenters.start(dir, ", verification_interval: 1s")) {
      Image image = OciImages.image(31, 8 * 1024, 16 * 1024);
      // Pushed by digest only: registry A's notification registers nothing, so one task replicates it, once.
      OciImages.push(http, dcs.registryA.url(), "team/verify", image.digest().toString(), image);
      assertThat(dcs.buildIndexA.put("/tags/team%2Fverify:v1/digest/" + image.digest() + "?replicate=true").status())
          .isEqualTo(200);
      dcs.awaitReplicated("team/verify:v1", image.digest().toString());
      String manifest = dcs.registryB.url() + "/v2/team/verify/manifests/" + image.digest();

      assertThat(call("DELETE", manifest)).isEqualTo(202);
      assertThat(call("HEAD", manifest)).isEqualTo(404);

      // The WARN line comes once the copy is done: wait for both.
      Poll.until(DockerDatacenters.REPLICATION_TIMEOUT, "registry B serves the manifest again, verification says why",
          () -> call("HEAD", manifest) == 200 && dcs.buildIndexA.log().contains("manifests missing at the remote origin"),
          () -> DockerDatacenters.tail(dcs.buildIndexA.log()));
      assertThat(dcs.buildIndexA.log()).as("copied again by verification, not by a task")
          .containsOnlyOnce("[replication-verification] i.b.d.RegistryReplicator - replicated team/verify:v1 (");
      assertThat(dcs.buildIndexB.get("/tags/team%2Fverify:v1").text()).isEqualTo(image.digest().toString());
    } finally {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  private int call(String method, String url) {
    Request request = new Request.Builder().url(url).method(method, null).header("Accept", ACCEPT).build();
    try (Response r = http.newCall(request).execute()) {
      return r.code();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
