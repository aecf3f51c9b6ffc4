package io.buildindex.hashring;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.config.ClusterConfig.HealthCheckConfig;
import io.buildindex.config.HostPort;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class HealthTrackerTest {
  /** fails=3, passes=2, generous timeout: only the timeout test waits for it. */
  private static final HealthCheckConfig CFG =
      new HealthCheckConfig(3, 2, Duration.ofSeconds(10), Duration.ofSeconds(10));

  private final OkHttpClient http = new OkHttpClient();
  private final MockWebServer server = new MockWebServer();
  private final AtomicInteger healthStatus = new AtomicInteger(200);
  private HostPort member;

  @BeforeEach
  void startServer() throws IOException {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        if (healthStatus.get() < 0) {
          return new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE);
        }
        boolean health = "GET".equals(request.getMethod()) && "/health".equals(request.getPath());
        return new MockResponse().setResponseCode(health ? healthStatus.get() : 404);
      }
    });
    server.start(InetAddress.getByName("127.0.0.1"), 0);
    member = new HostPort("127.0.0.1", server.getPort());
  }

  @AfterEach
  void stopServer() throws IOException {
    server.shutdown();
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  @Test
  void probeOnce_healthy_staysHealthy() throws Exception {
    HealthTracker tracker = tracker(CFG, member);

    probe(tracker);

    assertThat(tracker.isHealthy(member)).isTrue();
    assertThat(server.takeRequest(5, TimeUnit.SECONDS).getPath()).isEqualTo("/health");
  }

  @Test
  void probeOnce_failingHealth_unhealthyAfterFailsInARow() {
    HealthTracker tracker = tracker(CFG, member);
    healthStatus.set(500);

    probe(tracker);
    probe(tracker);
    assertThat(tracker.isHealthy(member)).isTrue();
    probe(tracker);

    assertThat(tracker.isHealthy(member)).isFalse();
  }

  @Test
  void probeOnce_unhealthy_healthyAgainAfterPassesInARow() {
    HealthTracker tracker = tracker(CFG, member);
    healthStatus.set(500);
    probe(tracker);
    probe(tracker);
    probe(tracker);
    healthStatus.set(200);

    probe(tracker);
    assertThat(tracker.isHealthy(member)).isFalse();
    probe(tracker);

    assertThat(tracker.isHealthy(member)).isTrue();
  }

  @Test
  void probeOnce_noAnswerWithinTimeout_isAFailure() {
    HealthCheckConfig quick = new HealthCheckConfig(1, 1, Duration.ofMillis(200), Duration.ofSeconds(10));
    HealthTracker tracker = tracker(quick, member);
    healthStatus.set(-1);

    probe(tracker);

    assertThat(tracker.isHealthy(member)).isFalse();
  }

  @Test
  void probeOnce_connectionRefused_isAFailure() throws IOException {
    HostPort closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closed = new HostPort("127.0.0.1", socket.getLocalPort());
    }
    HealthCheckConfig once = new HealthCheckConfig(1, 1, Duration.ofSeconds(10), Duration.ofSeconds(10));
    HealthTracker tracker = tracker(once, closed);

    probe(tracker);

    assertThat(tracker.isHealthy(closed)).isFalse();
  }

  @Test
  void recordFailure_unhealthyAfterFailsInARow() {
    HealthTracker tracker = tracker(CFG, member);

    tracker.recordFailure(member);
    tracker.recordFailure(member);
    assertThat(tracker.isHealthy(member)).isTrue();
    tracker.recordFailure(member);

    assertThat(tracker.isHealthy(member)).isFalse();
  }

  @Test
  void recordSuccess_breaksAFailureStreak() {
    HealthTracker tracker = tracker(CFG, member);

    tracker.recordFailure(member);
    tracker.recordFailure(member);
    tracker.recordSuccess(member);
    tracker.recordFailure(member);
    tracker.recordFailure(member);

    assertThat(tracker.isHealthy(member)).isTrue();
  }

  @Test
  void recordFailure_breaksAPassStreak() {
    HealthTracker tracker = tracker(CFG, member);
    for (int i = 0; i < 3; i++) {
      tracker.recordFailure(member);
    }

    tracker.recordSuccess(member);
    tracker.recordFailure(member);
    tracker.recordSuccess(member);

    assertThat(tracker.isHealthy(member)).isFalse();
  }

  @Test
  void track_newMembersHealthyDepartedForgotten() {
    HostPort other = new HostPort("203.0.113.1", 15004);
    HealthTracker tracker = tracker(CFG, member, other);
    for (int i = 0; i < 3; i++) {
      tracker.recordFailure(other);
    }

    tracker.track(List.of(member));
    tracker.recordFailure(other); // late report about a departed member: ignored
    tracker.track(List.of(member, other));

    assertThat(tracker.isHealthy(other)).isTrue();
  }

  private HealthTracker tracker(HealthCheckConfig cfg, HostPort... members) {
    HealthTracker tracker = new HealthTracker(cfg, http);
    tracker.track(List.of(members));
    return tracker;
  }

  private static void probe(HealthTracker tracker) {
    tracker.probeOnce().orTimeout(30, TimeUnit.SECONDS).join();
  }
}
