package io.buildindex.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.OriginConfig.RegistryConfig;
import io.buildindex.docker.testing.OciImages.Blob;
import io.buildindex.docker.testing.OciImages.Image;
import io.buildindex.docker.testing.OciImages;
import io.buildindex.tagstore.Digest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class RegistryReplicatorTest {
  private final RegistryStub source = new RegistryStub();
  private final RegistryStub destination = new RegistryStub();
  private final MetricRegistry metrics = new MetricRegistry();
  private final Meter bytes = metrics.meter(Origins.TRANSFER_BYTES);
  private final RegistryOrigin origin = Origins.registry(new RegistryConfig(source.url(), null, null, List.of(destination.url()), null),
      new OkHttpClient(), bytes, Clock.systemUTC());

  @AfterEach
  void stop() throws Exception {
    source.close();
    destination.close();
  }

  @Test
  void replicate_blobsThenManifestByDigestThenTag() {
    Image image = OciImages.image(1, 1000, 2000);
    source.add("team/app", "v1", image);

    TransferSummary summary = origin.replicate("team/app", "v1", image.digest(), image.dependencies(), destination.url());

    long total = image.blobs().stream().mapToLong(Blob::size).sum();
    assertThat(summary.bytesCopied()).isEqualTo(total);
    assertThat(summary.blobsCopied()).isEqualTo(3);
    assertThat(summary.blobsSkipped()).isZero();
    assertThat(summary.manifestsPut()).isEqualTo(2);
    assertThat(bytes.getCount()).isEqualTo(total);
    assertThat(destination.manifest("team/app", "v1").body()).isEqualTo(image.manifest());
    image.blobs().forEach(b -> assertThat(destination.blob("team/app", b.digest())).isEqualTo(b.bytes()));
    List<String> writes = destination.log().stream().filter(l -> l.startsWith("PUT")).toList();
    assertThat(writes).hasSize(5).endsWith(
        "PUT /v2/team/app/manifests/" + image.digest(), "PUT /v2/team/app/manifests/v1");
  }

  @Test
  void replicate_indexChildrenBeforeIndexBeforeTag() {
    Image amd64 = OciImages.image("linux/amd64", 1, 100);
    Image arm64 = OciImages.image("linux/arm64", 2, 100);
    Image index = OciImages.index(amd64, arm64);
    source.add("app", "multi", index);

    TransferSummary summary = origin.replicate("app", "multi", index.digest(), index.dependencies(), destination.url());

    assertThat(destination.log("PUT /v2/app/manifests/")).containsExactly(
        "PUT /v2/app/manifests/" + amd64.digest(),
        "PUT /v2/app/manifests/" + arm64.digest(),
        "PUT /v2/app/manifests/" + index.digest(),
        "PUT /v2/app/manifests/multi");
    assertThat(summary.blobsCopied()).isEqualTo(4);
    assertThat(destination.manifest("app", "multi").mediaType()).isEqualTo(OciImages.OCI_INDEX);
  }

  @Test
  void replicate_skipsBlobsTheDestinationHas() {
    Image image = OciImages.image(3, 100, 200);
    source.add("app", "v1", image);
    destination.putBlob("app", image.blobs().get(1).bytes());

    TransferSummary summary = origin.replicate("app", "v1", image.digest(), image.dependencies(), destination.url());

    assertThat(summary.blobsSkipped()).isEqualTo(1);
    assertThat(summary.blobsCopied()).isEqualTo(2);
    assertThat(summary.bytesCopied()).isEqualTo(image.blobs().get(0).size() + image.blobs().get(2).size());
    assertThat(source.log("GET /v2/app/blobs/")).hasSize(2);
  }

  @Test
  void replicate_againCopiesNothing() {
    Image image = OciImages.image(4, 100);
    source.add("app", "v1", image);
    origin.replicate("app", "v1", image.digest(), image.dependencies(), destination.url());

    TransferSummary again = origin.replicate("app", "v1", image.digest(), image.dependencies(), destination.url());

    assertThat(again.bytesCopied()).isZero();
    assertThat(again.blobsSkipped()).isEqualTo(2);
    assertThat(again.manifestsPut()).isEqualTo(2);
  }

  @Test
  void replicate_sameRegistryMounts() {
    Image image = OciImages.image(5, 100, 200);
    source.add("app", "v1", image);

    TransferSummary summary = origin.replicate("app", "v1", image.digest(), image.dependencies(), source.url() + "/dc2");

    assertThat(summary.blobsMounted()).isEqualTo(3);
    assertThat(summary.bytesCopied()).isZero();
    assertThat(source.log("POST /v2/dc2/app/blobs/uploads/")).containsExactlyElementsOf(image.blobs().stream()
        .map(b -> "POST /v2/dc2/app/blobs/uploads/?mount=" + b.digest().toString().replace(":", "%3A") + "&from=app")
        .toList());
    assertThat(source.log("GET /v2/app/blobs/")).isEmpty();
    assertThat(source.manifest("dc2/app", "v1").body()).isEqualTo(image.manifest());
  }

  @Test
  void replicate_refusedMountFallsBackToUpload() {
    Image image = OciImages.image(6, 100);
    source.add("app", "v1", image);
    source.refuseMounts();

    TransferSummary summary = origin.replicate("app", "v1", image.digest(), image.dependencies(), source.url() + "/dc2");

    assertThat(summary.blobsMounted()).isZero();
    assertThat(summary.blobsCopied()).isEqualTo(2);
    image.blobs().forEach(b -> assertThat(source.hasBlob("dc2/app", b.digest())).isTrue());
  }

  @Test
  void replicate_foreignLayersNotCopied() {
    byte[] config = "{\"os\":\"windows\"}".getBytes(StandardCharsets.UTF_8);
    byte[] layer = "layer".getBytes(StandardCharsets.UTF_8);
    Digest foreign = Digest.sha256("windows base".getBytes(StandardCharsets.UTF_8));
    String json = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\","
        + "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":" + config.length
        + ",\"digest\":\"" + source.putBlob("win", config) + "\"},\"layers\":["
        + "{\"mediaType\":\"" + MediaTypes.DOCKER_FOREIGN_LAYER + "\",\"size\":12,\"digest\":\"" + foreign
        + "\",\"urls\":[\"https://example.invalid/base\"]},"
        + "{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":" + layer.length
        + ",\"digest\":\"" + source.putBlob("win", layer) + "\"}]}";
    Digest manifest = source.putManifest("win", MediaTypes.DOCKER_MANIFEST, json.getBytes(StandardCharsets.UTF_8));

    TransferSummary summary = origin.replicate("win", "ltsc", manifest, List.of(manifest), destination.url());

    assertThat(summary.blobsCopied()).isEqualTo(2);
    assertThat(destination.hasBlob("win", foreign)).isFalse();
    assertThat(destination.log()).noneMatch(line -> line.contains(foreign.hex()));
    assertThat(destination.manifest("win", "ltsc")).isNotNull();
  }

  @Test
  void replicate_digestThatIsNotAManifestCopiedAsBlob() {
    byte[] content = "just a blob".getBytes(StandardCharsets.UTF_8);
    Digest blob = source.putBlob("files", content);

    TransferSummary summary = origin.replicate("files", "latest", blob, List.of(blob), destination.url());

    assertThat(summary.blobsCopied()).isEqualTo(1);
    assertThat(summary.manifestsPut()).isZero();
    assertThat(destination.blob("files", blob)).isEqualTo(content);
  }

  @Test
  void replicate_blobMissingInSource() {
    Image image = OciImages.image(7, 100);
    source.putManifest("app", image.mediaType(), image.manifest()); // but no blobs

    assertThatThrownBy(() -> origin.replicate("app", "v1", image.digest(), image.dependencies(), destination.url()))
        .isInstanceOfSatisfying(OriginException.class, e -> {
          assertThat(e.status()).isEqualTo(404);
          assertThat(e.address()).isEqualTo(source.url());
        })
        .hasMessageContaining(image.blobs().get(0).digest().toString());
    assertThat(destination.log("PUT /v2/app/manifests/")).isEmpty();
  }

  @Test
  void replicate_childMissingInSource() {
    Image child = OciImages.image(8, 10);
    Image index = OciImages.index(child);
    source.putManifest("app", index.mediaType(), index.manifest());

    assertThatThrownBy(() -> origin.replicate("app", "t", index.digest(), index.dependencies(), destination.url()))
        .isInstanceOfSatisfying(ManifestNotFoundException.class, e -> assertThat(e.digest()).isEqualTo(child.digest()));
  }

  @Test
  void replicate_remoteNotAUrl() {
    Image image = OciImages.image(9, 10);
    source.add("app", "v1", image);

    assertThatThrownBy(() -> origin.replicate("app", "v1", image.digest(), image.dependencies(), "kraken-origin:15002"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kraken-origin:15002");
  }

  @Test
  void exists_blobOrManifest() {
    Image image = OciImages.image(10, 10);
    source.add("app", "v1", image);

    assertThat(origin.exists("app", image.blobs().get(0).digest())).isTrue();
    assertThat(origin.exists("app", image.digest())).isTrue();
    assertThat(origin.exists("app", Digest.sha256(new byte[] {1}))).isFalse();
    assertThat(origin.exists("other", image.digest())).isFalse();
    assertThat(source.log("HEAD")).contains("HEAD /v2/app/manifests/" + image.digest());
  }

  @Test
  void address_isTheRegistryUrl() {
    assertThat(origin.address()).isEqualTo(source.url());
  }
}
