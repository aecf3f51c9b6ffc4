package io.buildindex.docker;

import io.buildindex.tagstore.Digest;
import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A walk of a stub registry whose catalog and tag lists come in pages linked by {@code Link} headers. */
final class RegistryReconcilerTest {
  private static final Digest D1 = Digest.parse("sha256:" + "1".repeat(64));
  private static final Digest D2 = Digest.parse("sha256:" + "2".repeat(64));

  private final MockWebServer server = new MockWebServer();
  private final PagedRegistry registry = new PagedRegistry();
  private final FakeIndex index = new FakeIndex();
  private final MetricRegistry metrics = new MetricRegistry();

  @BeforeEach
  void start() throws Exception {
    server.setDispatcher(registry);
    server.start(java.net.InetAddress.getLoopbackAddress(), 0);
  }

  @AfterEach
  void stop() throws Exception {
    server.shutdown();
  }

  private RegistryReconciler reconciler() {
    RegistryCatalog catalog = new RegistryCatalog(server.url("/"), new OkHttpClient(), RegistryCatalog.Pace.NONE);
    return new RegistryReconciler(catalog, index, Duration.ZERO, Clock.systemUTC(), metrics);
  }

  @Test
  void runOnce_followsEveryPage_registersUnknownListsDifferingLeavesThem() throws Exception {
    index.held.put("team/app:v2", new TagIndex.Held(D1.toString()));
    index.held.put("team/app:v3", new TagIndex.Held(D1.toString()));

    ReconciliationStatus s = reconciler().runOnce();

    assertThat(index.registered).containsExactly("team/app:v1 -> " + D1, "zz/empty-tagged:1 -> " + D2);
    assertThat(s.state()).isEqualTo("ok");
    assertThat(s.repositories()).isEqualTo(3);
    assertThat(s.tagsSeen()).isEqualTo(4);
    assertThat(s.registered()).isEqualTo(2);
    assertThat(s.differingCount()).isEqualTo(1);
    assertThat(s.differing()).containsExactly(new ReconciliationStatus.Differing("team/app:v2", D2.toString(), D1.toString()));
    assertThat(index.held.get("team/app:v2").digest()).as("not overwritten").isEqualTo(D1.toString());
    assertThat(registry.paths).contains("/v2/_catalog?n=1000", "/v2/_catalog?n=1000&last=team%2Fapp",
        "/v2/team/app/tags/list?n=1000", "/v2/team/app/tags/list?n=1000&last=v2");
    assertThat(registry.headAccept).allSatisfy(a -> assertThat(a).contains(MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST));
    assertThat(metrics.counter("docker.reconcile.registered").getCount()).isEqualTo(2);
  }

  @Test
  void runOnce_secondWalk_registersNothingAgain() throws Exception {
    RegistryReconciler reconciler = reconciler();
    reconciler.runOnce();

    ReconciliationStatus s = reconciler.runOnce();

    assertThat(index.registered).as("v1, v2 and 1, once each").hasSize(3);
    assertThat(s.registered()).isZero();
    assertThat(s.registeredTotal()).isEqualTo(3);
    assertThat(s.runs()).isEqualTo(2);
  }

  @Test
  void runOnce_registerRefused_countedAsErrorAndTheWalkGoesOn() throws Exception {
    index.refuse = "team/app:v1";

    ReconciliationStatus s = reconciler().runOnce();

    assertThat(s.state()).isEqualTo("ok");
    assertThat(s.errors()).isEqualTo(1);
    assertThat(index.registered).containsExactly("team/app:v2 -> " + D2, "zz/empty-tagged:1 -> " + D2);
  }

  @Test
  void runOnce_registryFailing_walkFailedAndRecorded() throws Exception {
    registry.failWith = 503;

    ReconciliationStatus s = reconciler().runOnce();

    assertThat(s.state()).isEqualTo("failed");
    assertThat(s.lastError()).contains("/v2/_catalog").contains("503");
    assertThat(s.lastSuccess()).isNull();
    assertThat(metrics.counter("docker.reconcile.failed_runs").getCount()).isEqualTo(1);
  }

  @Test
  void pace_spacesRequests() throws Exception {
    RecordingSleeper sleeper = new RecordingSleeper();
    RegistryCatalog.Pace pace = RegistryReconciler.pace(2, sleeper);

    pace.acquire();
    pace.acquire();

    assertThat(sleeper.sleeps()).hasSize(1);
    assertThat(sleeper.sleeps().get(0)).isPositive().isLessThanOrEqualTo(Duration.ofMillis(500));
  }

  /**
   * Catalog {@code team/app, team/empty, zz/empty-tagged} in pages of two; {@code team/app} has tags
   * v1 v2 | v3 in pages of two, {@code team/empty} has {@code "tags": null}. v1 is D1, the rest D2;
   * v3 is gone by the time of its HEAD (404).
   */
  private static final class PagedRegistry extends Dispatcher {
    final List<String> paths = new CopyOnWriteArrayList<>();
    final List<String> headAccept = new CopyOnWriteArrayList<>();
    volatile int failWith;

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getPath();
      paths.add(path);
      if (failWith != 0) {
        return new MockResponse().setResponseCode(failWith);
      }
      return switch (path) {
        case "/v2/_catalog?n=1000" -> page("{\"repositories\":[\"team/app\",\"team/empty\"]}",
            "</v2/_catalog?n=1000&last=team%2Fapp>; rel=\"next\"");
        case "/v2/_catalog?n=1000&last=team%2Fapp" -> page("{\"repositories\":[\"zz/empty-tagged\"]}", null);
        case "/v2/team/app/tags/list?n=1000" -> page("{\"name\":\"team/app\",\"tags\":[\"v1\",\"v2\"]}",
            "</v2/team/app/tags/list?n=1000&last=v2>; rel=\"next\"");
        case "/v2/team/app/tags/list?n=1000&last=v2" -> page("{\"name\":\"team/app\",\"tags\":[\"v3\"]}", null);
        case "/v2/team/empty/tags/list?n=1000" -> page("{\"name\":\"team/empty\",\"tags\":null}", null);
        case "/v2/zz/empty-tagged/tags/list?n=1000" -> page("{\"name\":\"zz/empty-tagged\",\"tags\":[\"1\"]}", null);
        case "/v2/team/app/manifests/v1" -> head(request, D1);
        case "/v2/team/app/manifests/v2", "/v2/zz/empty-tagged/manifests/1" -> head(request, D2);
        default -> new MockResponse().setResponseCode(404);
      };
    }

    private MockResponse head(RecordedRequest request, Digest digest) {
      headAccept.add(String.valueOf(request.getHeader("Accept")));
      return new MockResponse().setHeader("Docker-Content-Digest", digest.toString());
    }

    private static MockResponse page(String body, @Nullable String link) {
      MockResponse r = new MockResponse().setHeader("Content-Type", "application/json").setBody(body);
      return link == null ? r : r.setHeader("Link", link);
    }
  }

  /** The tag store as a map; records registrations in order. */
  private static final class FakeIndex implements TagIndex {
    final Map<String, Held> held = new ConcurrentHashMap<>();
    final List<String> registered = new CopyOnWriteArrayList<>();
    volatile @Nullable String refuse;

    @Override
    public Optional<Held> lookup(String repository, String tag) {
      return Optional.ofNullable(held.get(repository + ":" + tag));
    }

    @Override
    public void register(String repository, String tag, Digest digest) {
      if ((repository + ":" + tag).equals(refuse)) {
        throw new IllegalArgumentException("refused on purpose");
      }
      held.put(repository + ":" + tag, new Held(digest.toString()));
      registered.add(repository + ":" + tag + " -> " + digest);
    }
  }
}
