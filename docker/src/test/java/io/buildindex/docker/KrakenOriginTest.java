package io.buildindex.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.buildindex.config.HostPort;
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

/** The Kraken origin client against stubs of Kraken origin servers: the same paths and methods as Kraken's blobclient. */
final class KrakenOriginTest {
  private static final PollPolicy POLL = new PollPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1));
  private static final String REMOTE = "dc2-origin:15002";

  private final KrakenStub first = new KrakenStub();
  private final KrakenStub second = new KrakenStub();
  private final RecordingSleeper sleeper = new RecordingSleeper();
  private final KrakenOrigin origin = new KrakenOrigin(
      new KrakenCluster(() -> List.of(first.hostPort()), new OkHttpClient()), () -> "kraken-origin:15002", POLL, sleeper,
      Clock.systemUTC());

  @AfterEach
  void stop() throws Exception {
    first.close();
    second.close();
  }

  @Test
  void exists_headsTheOwnerWithEscapedNamespaceAndFullDigest() {
    Digest digest = first.put(bytes("layer"));

    assertThat(origin.exists("team/app", digest)).isTrue();

    assertThat(first.log()).containsExactly(
        "GET /blobs/" + digest + "/locations",
        "HEAD /internal/namespace/team%2Fapp/blobs/" + digest);
  }

  @Test
  void exists_missing() {
    assertThat(origin.exists("team/app", Digest.sha256(bytes("nope")))).isFalse();
  }

  @Test
  void exists_nextOwnerWhenOneFails() {
    Digest digest = second.put(bytes("layer"));
    first.locations(first.hostPort() + "," + second.hostPort());
    first.script(500);

    assertThat(origin.exists("app", digest)).isTrue();

    assertThat(second.log()).containsExactly("HEAD /internal/namespace/app/blobs/" + digest);
  }

  @Test
  void exists_allOwnersDown() {
    first.script(503);

    assertThatThrownBy(() -> origin.exists("app", Digest.sha256(bytes("x"))))
        .isInstanceOfSatisfying(OriginException.class, e -> {
          assertThat(e.status()).isEqualTo(503);
          assertThat(e.address()).isEqualTo(first.hostPort().toString());
        });
  }

  @Test
  void replicate_postsEveryDependencyToTheRemote() {
    Digest a = first.put(bytes("a"));
    Digest b = first.put(bytes("b"));

    TransferSummary summary = origin.replicate("team/app", "v1", a, List.of(a, b), REMOTE);

    assertThat(first.log()).filteredOn(line -> line.startsWith("POST")).containsExactly(
        "POST /namespace/team%2Fapp/blobs/" + a + "/remote/" + REMOTE,
        "POST /namespace/team%2Fapp/blobs/" + b + "/remote/" + REMOTE);
    assertThat(summary.blobsCopied()).isEqualTo(2);
    assertThat(summary.bytesCopied()).isZero();
  }

  @Test
  void replicate_pollsWhileTheOriginFetches() {
    Digest a = first.put(bytes("a"));
    first.script(202, 202);

    origin.replicate("app", "v1", a, List.of(a), REMOTE);

    assertThat(first.log()).filteredOn(line -> line.startsWith("POST")).hasSize(3);
    assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
  }

  @Test
  void replicate_stillPendingAfterPolling() {
    Digest a = first.put(bytes("a"));
    first.script(202, 202, 202);

    assertThatThrownBy(() -> origin.replicate("app", "v1", a, List.of(a), REMOTE))
        .isInstanceOfSatisfying(OriginException.class, e -> assertThat(e.status()).isEqualTo(202))
        .hasMessageContaining("still fetching");
  }

  @Test
  void replicate_missingBlob() {
    Digest missing = Digest.sha256(bytes("missing"));

    assertThatThrownBy(() -> origin.replicate("app", "v1", missing, List.of(missing), REMOTE))
        .isInstanceOfSatisfying(OriginException.class, e -> assertThat(e.status()).isEqualTo(404))
        .hasMessageContaining(missing.toString());
  }

  @Test
  void dockerResolver_downloadsManifestsAsBlobs() {
    Image amd64 = OciImages.image("linux/amd64", 1, 10);
    Image index = OciImages.index(amd64);
    first.put(index.manifest());
    first.put(amd64.manifest());
    first.script(202); // the origin is still fetching the index from storage
    ImageDependencies resolver = Origins.dockerResolver(origin, POLL, sleeper);

    List<Digest> deps = resolver.resolve("team/app", "v1", index.digest());

    assertThat(deps).containsExactlyElementsOf(index.dependencies());
    assertThat(first.log()).contains("GET /namespace/team%2Fapp/blobs/" + index.digest());
    assertThat(sleeper.sleeps()).hasSize(1);
  }

  @Test
  void address_asConfigured() {
    assertThat(origin.address()).isEqualTo("kraken-origin:15002");
  }

  @Test
  void owners_nextMemberWhenOneIsDown() throws Exception {
    KrakenStub dead = new KrakenStub();
    HostPort deadAddress = dead.hostPort();
    dead.close();
    Digest digest = first.put(bytes("layer"));
    KrakenCluster cluster = new KrakenCluster(() -> List.of(deadAddress, first.hostPort()), new OkHttpClient());

    assertThat(cluster.owners(digest)).extracting(KrakenClient::address).containsExactly(first.hostPort().toString());
  }

  @Test
  void owners_noHosts() {
    KrakenCluster empty = new KrakenCluster(List::<HostPort>of, new OkHttpClient());

    assertThatThrownBy(() -> empty.owners(Digest.sha256(bytes("x"))))
        .isInstanceOf(OriginException.class).hasMessageContaining("no hosts");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
