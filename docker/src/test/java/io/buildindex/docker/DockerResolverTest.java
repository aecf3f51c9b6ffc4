package io.buildindex.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.OriginConfig.RegistryConfig;
import io.buildindex.docker.testing.OciImages.Image;
import io.buildindex.docker.testing.OciImages;
import io.buildindex.tagstore.Digest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class DockerResolverTest {
  private static final PollPolicy RETRY = new PollPolicy(4, Duration.ofMillis(100), Duration.ofMillis(250));

  private final RegistryStub registry = new RegistryStub();
  private final RecordingSleeper sleeper = new RecordingSleeper();
  private final ImageDependencies resolver = Origins.dockerResolver(
      Origins.registry(new RegistryConfig(registry.url(), null, null), new OkHttpClient(),
          new MetricRegistry().meter("bytes"), Clock.systemUTC()), RETRY, sleeper);

  @AfterEach
  void stop() throws Exception {
    registry.close();
  }

  @Test
  void resolve_imageManifest() {
    Image image = OciImages.image(1, 10, 20);
    registry.add("team/app", "v1", image);

    List<Digest> deps = resolver.resolve("team/app", "v1", image.digest());

    assertThat(deps).containsExactly(image.digest(), image.blobs().get(0).digest(), image.blobs().get(1).digest(),
        image.blobs().get(2).digest());
    assertThat(registry.log("GET")).containsExactly("GET /v2/team/app/manifests/" + image.digest());
  }

  @Test
  void resolve_indexIncludesChildrenConfigsAndLayers() {
    Image amd64 = OciImages.image("linux/amd64", 1, 10);
    Image arm64 = OciImages.image("linux/arm64", 2, 10, 30);
    Image index = OciImages.index(amd64, arm64);
    registry.add("app", "multi", index);

    List<Digest> deps = resolver.resolve("app", "multi", index.digest());

    assertThat(deps).containsExactlyElementsOf(index.dependencies());
    assertThat(deps).hasSize(1 + 3 + 4).startsWith(index.digest(), amd64.digest());
  }

  @Test
  void resolve_nestedIndex() {
    Image leaf = OciImages.image("linux/s390x", 3, 5);
    Image inner = OciImages.index(leaf);
    Image outer = OciImages.index(inner, OciImages.image("linux/amd64", 4, 6));
    registry.add("app", "nested", outer);

    assertThat(resolver.resolve("app", "nested", outer.digest())).containsExactlyElementsOf(outer.dependencies());
  }

  @Test
  void resolve_sharedLayersListedOnce() {
    Image a = OciImages.image("linux/amd64", 7, 10);
    Image b = OciImages.image("linux/arm64", 7, 10); // same seed: same layer bytes, different config
    Image index = OciImages.index(a, b);
    registry.add("app", "t", index);

    List<Digest> deps = resolver.resolve("app", "t", index.digest());

    assertThat(deps).doesNotHaveDuplicates().hasSize(1 + 2 + 2 + 1);
  }

  @Test
  void resolve_retriesUntilManifestAppears() {
    Image image = OciImages.image(5, 10);
    registry.add("app", "late", image);
    registry.hideManifest(image.digest(), 2);

    List<Digest> deps = resolver.resolve("app", "late", image.digest());

    assertThat(deps).first().isEqualTo(image.digest());
    assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
  }

  @Test
  void resolve_childThatAppearsLate() {
    Image child = OciImages.image(6, 10);
    Image index = OciImages.index(child);
    registry.add("app", "t", index);
    registry.hideManifest(child.digest(), 1);

    assertThat(resolver.resolve("app", "t", index.digest())).containsExactlyElementsOf(index.dependencies());
    assertThat(sleeper.sleeps()).hasSize(1);
  }

  @Test
  void resolve_neverAppears() {
    Digest missing = Digest.sha256("never pushed".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> resolver.resolve("team/app", "v1", missing))
        .isInstanceOfSatisfying(ManifestNotFoundException.class, e -> {
          assertThat(e.repository()).isEqualTo("team/app");
          assertThat(e.digest()).isEqualTo(missing);
        })
        .hasMessageContaining("team/app").hasMessageContaining(missing.toString()).hasMessageContaining("4 attempts");
    assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(250));
  }

  @Test
  void resolve_schema1Rejected() {
    byte[] schema1 = TestManifests.bytes("schema1-signed.json");
    Digest digest = registry.putManifest("app", MediaTypes.DOCKER_SCHEMA1_SIGNED, schema1);

    assertThatThrownBy(() -> resolver.resolve("app", "old", digest))
        .isInstanceOf(InvalidManifestException.class).hasMessageContaining("schema1");
    assertThat(sleeper.sleeps()).isEmpty();
  }

  @Test
  void resolve_contentNotMatchingDigestRejected() {
    Image image = OciImages.image(8, 10);
    registry.add("app", "t", image);
    Digest other = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
    registry.putManifestAs("app", other, image.mediaType(), image.manifest());

    assertThatThrownBy(() -> resolver.resolve("app", "t", other))
        .isInstanceOf(InvalidManifestException.class).hasMessageContaining("does not match its digest");
  }

  @Test
  void resolve_originDownAfterRetries() throws Exception {
    registry.close();
    Digest digest = Digest.sha256("x".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> resolver.resolve("app", "t", digest))
        .isInstanceOfSatisfying(OriginException.class, e -> assertThat(e.address()).isEqualTo(registry.url()));
    assertThat(sleeper.sleeps()).hasSize(3);
  }

  @Test
  void digestOnly_returnsTheDigest() {
    Digest digest = Digest.sha256("blob".getBytes(StandardCharsets.UTF_8));

    assertThat(ImageDependencies.digestOnly().resolve("r", "t", digest)).containsExactly(digest);
  }
}
