package io.buildindex.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.OriginConfig.RegistryConfig;
import io.buildindex.config.OriginConfig;
import io.buildindex.docker.notifications.Notifications;
import io.buildindex.docker.notifications.PushedTag;
import io.buildindex.docker.testing.OciImages.Blob;
import io.buildindex.docker.testing.OciImages.Image;
import io.buildindex.docker.testing.OciImages;
import io.buildindex.docker.testing.RegistryProcess;
import io.buildindex.docker.testing.Skopeo;
import io.buildindex.tagstore.Digest;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against real registries (Debian's docker-registry): images pushed with an independent client,
 * replicated with {@link Origin#replicate}, and checked with skopeo.
 */
final class RealRegistryTest {
  private static final long FIFTY_MEGABYTES = 50L * 1024 * 1024;

  @TempDir
  Path dir;

  private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(60)).build();
  private final MetricRegistry metrics = new MetricRegistry();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  @Test
  void replicate_imageToAnotherRegistry() {
    RegistryProcess a = registry("a");
    RegistryProcess b = registry("b");
    Image image = OciImages.image(1, 1024, 4096, 70_000);
    OciImages.push(http, a.url(), "team/app", "v1", image);
    Origin origin = origin(a);
    List<Digest> deps = Origins.dockerResolver(origin, PollPolicy.once(), Sleeper.SYSTEM)
        .resolve("team/app", "v1", image.digest());

    TransferSummary summary = origin.replicate("team/app", "v1", image.digest(), deps, b.url());

    assertThat(deps).containsExactlyElementsOf(image.dependencies());
    assertThat(summary.blobsCopied()).isEqualTo(4);
    assertThat(summary.bytesCopied()).isEqualTo(image.blobs().stream().mapToLong(Blob::size).sum());
    assertThat(summary.manifestsPut()).isEqualTo(2);
    assertThat(metrics.meter(Origins.TRANSFER_BYTES).getCount()).isEqualTo(summary.bytesCopied());
    deps.forEach(d -> assertThat(origin(b).exists("team/app", d)).as("%s in b", d).isTrue());
    if (Skopeo.usable()) {
      assertThat(Skopeo.inspect(b.hostPort(), "team/app", "v1").path("Digest").asText())
          .isEqualTo(image.digest().toString());
    }
  }

  @Test
  void replicate_multiArchIndexWithChildBlobs() {
    RegistryProcess a = registry("a");
    RegistryProcess b = registry("b");
    Image index = OciImages.index(OciImages.image("linux/amd64", 2, 2048), OciImages.image("linux/arm64", 3, 1024, 512));
    OciImages.push(http, a.url(), "multi", "latest", index);
    Origin origin = origin(a);
    List<Digest> deps = Origins.dockerResolver(origin, PollPolicy.once(), Sleeper.SYSTEM)
        .resolve("multi", "latest", index.digest());

    TransferSummary summary = origin.replicate("multi", "latest", index.digest(), deps, b.url());

    assertThat(deps).hasSize(8).containsExactlyElementsOf(index.dependencies());
    assertThat(summary.blobsCopied()).isEqualTo(5);
    assertThat(summary.manifestsPut()).isEqualTo(4);
    deps.forEach(d -> assertThat(origin(b).exists("multi", d)).as("%s in b", d).isTrue());
    if (Skopeo.usable()) {
      assertThat(Digest.sha256(Skopeo.rawManifest(b.hostPort(), "multi", "latest"))).isEqualTo(index.digest());
      assertThat(Skopeo.inspect(b.hostPort(), "multi", "latest").path("Digest").asText())
          .isEqualTo(index.digest().toString());
    }
  }

  @Test
  void replicate_fiftyMegabyteLayerStreams() {
    RegistryProcess a = registry("a");
    RegistryProcess b = registry("b");
    Image image = OciImages.image(4, FIFTY_MEGABYTES);
    OciImages.push(http, a.url(), "big", "v1", image);

    TransferSummary summary = origin(a).replicate("big", "v1", image.digest(), image.dependencies(), b.url());

    assertThat(summary.bytesCopied()).isGreaterThan(FIFTY_MEGABYTES);
    assertThat(origin(b).exists("big", image.blobs().get(1).digest())).isTrue();
    if (Skopeo.usable()) {
      assertThat(Skopeo.inspect(b.hostPort(), "big", "v1").path("Digest").asText()).isEqualTo(image.digest().toString());
    }
  }

  @Test
  void replicate_sameRegistryMountsIntoPrefixedRepository() {
    RegistryProcess a = registry("a");
    Image image = OciImages.image(5, 1000, 2000);
    OciImages.push(http, a.url(), "team/app", "v1", image);

    TransferSummary summary = origin(a).replicate("team/app", "v1", image.digest(), image.dependencies(), a.url() + "/dc2");

    assertThat(summary.blobsMounted()).isEqualTo(3);
    assertThat(summary.bytesCopied()).isZero();
    assertThat(origin(a).exists("dc2/team/app", image.digest())).isTrue();
    if (Skopeo.usable()) {
      assertThat(Skopeo.inspect(a.hostPort(), "dc2/team/app", "v1").path("Digest").asText())
          .isEqualTo(image.digest().toString());
    }
  }

  @Test
  void replicate_againSkipsEverything() {
    RegistryProcess a = registry("a");
    RegistryProcess b = registry("b");
    Image image = OciImages.image(6, 1000);
    OciImages.push(http, a.url(), "app", "v1", image);
    origin(a).replicate("app", "v1", image.digest(), image.dependencies(), b.url());

    TransferSummary again = origin(a).replicate("app", "v1", image.digest(), image.dependencies(), b.url());

    assertThat(again.blobsSkipped()).isEqualTo(2);
    assertThat(again.bytesCopied()).isZero();
  }

  @Test
  void exists_blobsAndManifests() {
    RegistryProcess a = registry("a");
    Image image = OciImages.image(7, 100);
    OciImages.push(http, a.url(), "app", "v1", image);

    assertThat(origin(a).exists("app", image.digest())).isTrue();
    assertThat(origin(a).exists("app", image.blobs().get(1).digest())).isTrue();
    assertThat(origin(a).exists("app", Digest.sha256(new byte[] {9}))).isFalse();
  }

  @Test
  void registryProcess_postsNotificationsOfPushes() throws IOException, InterruptedException {
    MockWebServer receiver = new MockWebServer();
    receiver.setDispatcher(new okhttp3.mockwebserver.QueueDispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse().setResponseCode(200);
      }
    });
    receiver.start(InetAddress.getByName("127.0.0.1"), 0);
    toClose.add(receiver::shutdown);
    RegistryProcess a = track(RegistryProcess.start(dir("n"), "http://127.0.0.1:" + receiver.getPort() + "/notifications",
        Map.of("Authorization", "Bearer notify-token")));
    Image image = OciImages.image(8, 100);

    OciImages.push(http, a.url(), "team/app", "v9", image);

    Notifications notifications = new Notifications();
    List<PushedTag> pushed = new ArrayList<>();
    while (pushed.isEmpty()) {
      RecordedRequest request = receiver.takeRequest(30, TimeUnit.SECONDS);
      assertThat(request).as("a notification within 30 s").isNotNull();
      assertThat(request.getPath()).isEqualTo("/notifications");
      assertThat(request.getHeader("Authorization")).isEqualTo("Bearer notify-token");
      pushed.addAll(notifications.parse(request.getHeader("Content-Type"), request.getBody().readByteArray()));
    }
    assertThat(pushed).extracting(PushedTag::repository, PushedTag::tag, PushedTag::digest)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("team/app", "v9", image.digest()));
  }

  private RegistryProcess registry(String name) {
    return track(RegistryProcess.start(dir(name)));
  }

  private RegistryProcess track(RegistryProcess registry) {
    toClose.add(registry);
    return registry;
  }

  private Path dir(String name) {
    try {
      return Files.createDirectories(dir.resolve(name));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The origin of {@code registry}, trusting every other registry of the test as a remote registry. */
  private Origin origin(RegistryProcess registry) {
    List<String> others = toClose.stream().filter(c -> c instanceof RegistryProcess r && r != registry)
        .map(c -> ((RegistryProcess) c).url()).toList();
    return Origins.create(new OriginConfig(new RegistryConfig(registry.url(), null, null, others, null), null), http,
        metrics, Clock.systemUTC());
  }
}
