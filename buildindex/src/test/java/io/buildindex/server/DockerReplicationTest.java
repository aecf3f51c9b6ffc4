package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.docker.testing.OciImages.Blob;
import io.buildindex.docker.testing.OciImages.Image;
import io.buildindex.docker.testing.OciImages;
import io.buildindex.docker.testing.Skopeo;
import io.buildindex.server.RawHttp.Response;
import io.buildindex.tagstore.Digest;
import io.buildindex.testing.Poll;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end, two datacenters on loopback ({@link DockerDatacenters}): images pushed to registry
 * A reach registry B through build-index A's replication, and build-index A refuses tags whose
 * image is incomplete in its origin. One set of processes serves every test; each test uses its
 * own repository.
 */
final class DockerReplicationTest {
  private static final String ACCEPT_MANIFESTS = String.join(", ", OciImages.OCI_INDEX, OciImages.OCI_MANIFEST,
      "application/vnd.docker.distribution.manifest.v2+json",
      "application/vnd.docker.distribution.manifest.list.v2+json");

  @TempDir
  static Path dir;
  private static DockerDatacenters dcs;
  private static OkHttpClient http;

  @BeforeAll
  static void startDatacenters() {
    dcs = DockerDatacenters.start(dir);
    http = new OkHttpClient();
  }

  @AfterAll
  static void stopDatacenters() {
    if (http != null) {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
    if (dcs != null) {
      dcs.close();
    }
  }

  @Test
  void skopeoPush_notifiedAndReplicatedToOtherDatacenter() {
    Image image = OciImages.image(1, 64 * 1024, 300 * 1024);
    Path layout = DockerOciLayout.write(dir.resolve("push-app"), image, "v1");

    DockerSkopeo.copy(DockerSkopeo.oci(layout, "v1"), DockerSkopeo.docker(dcs.registryA.hostPort(), "team/app", "v1"), false);

    String pushed = image.digest().toString();
    assertThat(Skopeo.inspect(dcs.registryA.hostPort(), "team/app", "v1").path("Digest").asText()).isEqualTo(pushed);
    Poll.until(DockerDatacenters.REPLICATION_TIMEOUT, "notification of team/app:v1 at build-index A",
        () -> dcs.buildIndexA.get("/tags/team%2Fapp:v1").text().equals(pushed),
        () -> "registry A log:\n" + DockerDatacenters.tail(dcs.registryA.log()));
    dcs.awaitReplicated("team/app:v1", pushed);
    assertThat(Skopeo.inspect(dcs.registryB.hostPort(), "team/app", "v1").path("Digest").asText()).isEqualTo(pushed);
    assertThat(Skopeo.rawManifest(dcs.registryB.hostPort(), "team/app", "v1"))
        .isEqualTo(Skopeo.rawManifest(dcs.registryA.hostPort(), "team/app", "v1"));
    Path pulled = dir.resolve("pull-app");
    DockerSkopeo.copy(DockerSkopeo.docker(dcs.registryB.hostPort(), "team/app", "v1"), DockerSkopeo.oci(pulled, "v1"), false);
    assertThat(DockerOciLayout.digest(pulled, "v1")).hasToString(pushed);
  }

  @Test
  void multiPlatformIndex_replicatesIndexChildrenAndLayers() {
    Image index = OciImages.index(OciImages.image("linux/amd64", 2, 100 * 1024),
        OciImages.image("linux/arm64", 3, 120 * 1024, 10 * 1024));
    OciImages.push(http, dcs.registryA.url(), "team/multi", "v1", index);

    Response put = dcs.buildIndexA.put("/tags/team%2Fmulti:v1/digest/" + index.digest() + "?replicate=true");

    assertThat(put.status()).as("%s", put).isEqualTo(200);
    dcs.awaitReplicated("team/multi:v1", index.digest().toString());
    assertServes(dcs.registryB.port(), "team/multi", "v1", index);
    for (Image child : index.children()) {
      assertServes(dcs.registryB.port(), "team/multi", child.digest().toString(), child);
      child.blobs().forEach(blob -> assertHasBlob(dcs.registryB.port(), "team/multi", blob));
    }
    Path pulled = dir.resolve("pull-multi");
    DockerSkopeo.copy(DockerSkopeo.docker(dcs.registryB.hostPort(), "team/multi", "v1"), DockerSkopeo.oci(pulled, "v1"), true);
    assertThat(DockerOciLayout.digest(pulled, "v1")).isEqualTo(index.digest());
  }

  /** Build-index A has a 64 MB heap ({@link DockerDatacenters#SMALL_HEAP}): only a streamed copy gets through. */
  @Test
  void fiftyMegabyteLayer_streamsThroughSmallHeap() {
    assertThat(heapMaxBytes(dcs.buildIndexA)).as("build-index A's heap cap").isLessThanOrEqualTo(64L << 20);
    Image image = OciImages.image(4, 50L << 20);
    OciImages.push(http, dcs.registryA.url(), "team/big", "v1", image);

    Response put = dcs.buildIndexA.put("/tags/team%2Fbig:v1/digest/" + image.digest() + "?replicate=true");

    assertThat(put.status()).as("%s", put).isEqualTo(200);
    dcs.awaitReplicated("team/big:v1", image.digest().toString());
    // Cumulative: registry A's own push notification may have replicated the image first, and then
    // the task of this PUT found every blob already there (its status then shows 0 bytes copied).
    assertThat(transferredBytes(dcs.buildIndexA)).as("docker_transfer_bytes on A").isGreaterThanOrEqualTo(50L << 20);
    assertThat(dcs.buildIndexA.isRunning()).isTrue();
    assertThat(dcs.buildIndexA.log()).doesNotContain("OutOfMemoryError");
    image.blobs().forEach(blob -> assertHasBlob(dcs.registryB.port(), "team/big", blob));
    Path pulled = dir.resolve("pull-big"); // skopeo checks every blob's digest as it pulls
    DockerSkopeo.copy(DockerSkopeo.docker(dcs.registryB.hostPort(), "team/big", "v1"), DockerSkopeo.oci(pulled, "v1"), false);
    assertThat(DockerOciLayout.blobPath(pulled, image.blobs().get(1).digest())).hasSize(50L << 20);
  }

  @Test
  void put_layerMissingInOrigin() {
    Image image = OciImages.image(5, 1024, 2048);
    // Pushed by digest only: no tag, so registry A's notification registers nothing.
    OciImages.push(http, dcs.registryA.url(), "team/broken", image.digest().toString(), image);
    Digest layer = image.blobs().get(2).digest();
    RawHttp registryA = new RawHttp(port(dcs.registryA.url()));
    assertThat(registryA.send("DELETE", "/v2/team/broken/blobs/" + layer, Map.of(), new byte[0]).status()).isEqualTo(202);

    Response put = dcs.buildIndexA.put("/tags/team%2Fbroken:v1/digest/" + image.digest());

    assertThat(put.status()).as("%s", put).isEqualTo(400);
    assertThat(put.json().path("message").asText()).contains("missing in the origin", layer.toString())
        .doesNotContain(image.blobs().get(1).digest().toString());
    assertThat(dcs.buildIndexA.get("/tags/team%2Fbroken:v1").status()).isEqualTo(404);
  }

  /** The resolver waits for a manifest that may still be on its way (about 9 s), then gives up. */
  @Test
  void put_manifestOnlyInAnotherRepository() {
    Image image = OciImages.image(6, 1024);
    OciImages.push(http, dcs.registryA.url(), "team/elsewhere", image.digest().toString(), image);

    Response put = dcs.buildIndexA.put("/tags/team%2Fapp:moved/digest/" + image.digest());

    assertThat(put.status()).as("%s", put).isEqualTo(404);
    assertThat(put.json().path("message").asText()).contains("manifest " + image.digest(), "team/app", "not found");
    assertThat(dcs.buildIndexA.get("/tags/team%2Fapp:moved").status()).isEqualTo(404);
  }

  @Test
  void origin_isEachDatacentersRegistry() {
    assertThat(dcs.buildIndexA.get("/origin").text()).isEqualTo(dcs.registryA.url());
    assertThat(dcs.buildIndexB.get("/origin").text()).isEqualTo(dcs.registryB.url());
  }

  /** Registry {@code port} serves exactly {@code image}'s manifest for {@code reference}. */
  private static void assertServes(int port, String repository, String reference, Image image) {
    Response r = new RawHttp(port).send("GET", "/v2/" + repository + "/manifests/" + reference,
        Map.of("Accept", ACCEPT_MANIFESTS), new byte[0]);
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    assertThat(r.header("Docker-Content-Digest")).isEqualTo(image.digest().toString());
    assertThat(r.body()).isEqualTo(image.manifest());
  }

  private static void assertHasBlob(int port, String repository, Blob blob) {
    Response r = new RawHttp(port).send("HEAD", "/v2/" + repository + "/blobs/" + blob.digest(), Map.of(), new byte[0]);
    assertThat(r.status()).as("HEAD %s: %s", blob.digest(), r).isEqualTo(200);
    assertThat(r.header("Content-Length")).isEqualTo(Long.toString(blob.size()));
  }

  private static long heapMaxBytes(DockerNode node) {
    Matcher m = Pattern.compile("(?m)^jvm_memory_max_bytes\\{area=\"heap\"} (\\S+)$").matcher(node.get("/metrics").text());
    assertThat(m.find()).as("jvm_memory_max_bytes{area=heap} in /metrics").isTrue();
    return (long) Double.parseDouble(m.group(1));
  }

  private static int port(String url) {
    return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
  }

  private static long transferredBytes(DockerNode node) {
    return node.get("/metrics").text().lines()
        .filter(l -> l.startsWith("docker_transfer_bytes_total "))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.indexOf(' ') + 1).strip()))
        .findFirst().orElse(-1);
  }
}
