package io.buildindex.hashring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.buildindex.config.ClusterConfig.HealthCheckConfig;
import io.buildindex.config.HostPort;
import io.buildindex.testing.FakeClock;
import io.buildindex.testing.Poll;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class ClusterRingTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final HostPort SELF = new HostPort("127.0.0.1", 15004);
  /** Four peers in TEST-NET-3 (RFC 5737): compared and hashed, never contacted (nothing probes them here). */
  private static final List<HostPort> PEERS = IntStream.rangeClosed(1, 4)
      .mapToObj(i -> new HostPort("203.0.113." + i, 15004)).toList();
  /** fails=3, passes=2; the hour-long interval keeps scheduled probes from ever running here. */
  private static final HealthCheckConfig HEALTH =
      new HealthCheckConfig(3, 2, Duration.ofSeconds(5), Duration.ofHours(1));

  private final FakeClock clock = new FakeClock(T0);
  private final OkHttpClient http = new OkHttpClient();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void shutdown() {
    scheduler.shutdownNow();
    http.dispatcher().executorService().shutdown();
  }

  @Test
  void beforeFirstRefresh_aloneOwnsEverything() {
    ClusterRing ring = ring(SELF, new StaticMembership(all()), HEALTH);

    assertThat(ring.owners("library/ubuntu:22.04")).containsExactly(SELF);
    assertThat(ring.isOwner("library/ubuntu:22.04")).isTrue();
    assertThat(ring.members()).containsExactly(SELF);
    assertThat(ring.status()).isEqualTo(new RingStatus("static", 1, 1, null, null));
  }

  @Test
  void refresh_selfIsItsMemberEntry() {
    ClusterRing ring = refreshed(new StaticMembership(all()));

    assertThat(ring.self()).isEqualTo(SELF);
    assertThat(ring.members()).containsExactly(SELF, PEERS.get(0), PEERS.get(1), PEERS.get(2), PEERS.get(3));
    assertThat(ring.status()).isEqualTo(new RingStatus("static", 5, 5, T0, null));
  }

  @Test
  void refresh_selfFoundByLocalhostEntry() {
    HostPort localhost = new HostPort("localhost", 15004);
    ClusterRing ring = ring(new HostPort("", 15004), new StaticMembership(List.of(localhost, PEERS.get(0))), HEALTH);

    ring.refresh();

    assertThat(ring.self()).isEqualTo(localhost);
  }

  @Test
  void owners_maxReplicaDistinctMembers() {
    ClusterRing ring = refreshed(new StaticMembership(all()));

    for (String key : keys(200)) {
      assertThat(ring.owners(key)).hasSize(3).doesNotHaveDuplicates();
    }
  }

  @Test
  void isOwner_whenSelfAmongOwners() {
    ClusterRing ring = refreshed(new StaticMembership(all()));

    long owned = keys(1_000).stream().filter(ring::isOwner).count();

    keys(1_000).forEach(key -> assertThat(ring.isOwner(key)).isEqualTo(ring.owners(key).contains(SELF)));
    assertThat(owned).isBetween(450L, 750L); // 3 of 5 replicas: about 600
  }

  @Test
  void owners_sameOnEveryNode() {
    HostPort otherSelf = new HostPort("127.0.0.1", 15005);
    List<HostPort> members = List.of(SELF, otherSelf, PEERS.get(0));
    ClusterRing a = ring(SELF, new StaticMembership(members), HEALTH);
    ClusterRing b = ring(otherSelf, new StaticMembership(members.reversed()), HEALTH);
    a.refresh();
    b.refresh();

    assertThat(a.self()).isEqualTo(SELF);
    assertThat(b.self()).isEqualTo(otherSelf);
    keys(500).forEach(key -> assertThat(b.owners(key)).isEqualTo(a.owners(key)));
  }

  @Test
  void owners_unhealthyMemberSkippedUntilItPassesAgain() {
    ClusterRing ring = refreshed(new StaticMembership(all()));
    String key = keyWithPrimary(ring, PEERS.get(0));
    List<HostPort> before = ring.owners(key);

    failTimes(ring, PEERS.get(0), 3);

    assertThat(ring.owners(key)).hasSize(3).doesNotContain(PEERS.get(0)).containsAll(before.subList(1, 3));
    assertThat(ring.healthyMembers()).doesNotContain(PEERS.get(0)).hasSize(4);
    assertThat(ring.members()).contains(PEERS.get(0));
    assertThat(ring.status().healthy()).isEqualTo(4);

    ring.recordSuccess(PEERS.get(0));
    assertThat(ring.owners(key)).doesNotContain(PEERS.get(0));
    ring.recordSuccess(PEERS.get(0));
    assertThat(ring.owners(key)).isEqualTo(before);
  }

  @Test
  void owners_fewerHealthyThanReplicas_allHealthy() {
    ClusterRing ring = refreshed(new StaticMembership(all()));
    failTimes(ring, PEERS.get(0), 3);
    failTimes(ring, PEERS.get(1), 3);
    failTimes(ring, PEERS.get(2), 3);

    for (String key : keys(100)) {
      assertThat(ring.owners(key)).containsExactlyInAnyOrder(SELF, PEERS.get(3));
    }
  }

  @Test
  void owners_noneHealthy_allMembersRatherThanNone() {
    ClusterRing ring = refreshed(new StaticMembership(all()));
    List<List<HostPort>> before = keys(100).stream().map(ring::owners).toList();

    all().forEach(member -> failTimes(ring, member, 3));

    assertThat(ring.healthyMembers()).isEmpty();
    assertThat(keys(100).stream().map(ring::owners).toList()).isEqualTo(before);
  }

  @Test
  void refresh_selfNotAMember_ownsNothing() {
    ClusterRing ring = refreshed(new StaticMembership(PEERS));

    assertThat(ring.self()).isEqualTo(SELF);
    assertThat(keys(100)).noneMatch(ring::isOwner);
  }

  @Test
  void start_twice_rejected() {
    ClusterRing ring = ring(SELF, new StaticMembership(all()), HEALTH);
    ring.start();

    assertThatThrownBy(ring::start).isInstanceOf(IllegalStateException.class);
    ring.close();
  }

  @Test
  void start_loadsMembershipAtOnceThenEveryTtl() {
    FakeDns dns = new FakeDns().answer("build-index.test", "127.0.0.1", "203.0.113.1");
    Membership membership = new Membership(new DnsMembership(HostPort.parse("build-index.test:15004"), dns),
        Duration.ofMillis(20), clock);
    try (ClusterRing ring = new ClusterRing(membership, new HealthTracker(HEALTH, http),
        new LocalAddresses(SELF, Dns.SYSTEM), 3, scheduler)) {
      ring.start();
      assertThat(ring.members()).containsExactly(SELF, PEERS.get(0));

      dns.answer("build-index.test", "127.0.0.1", "203.0.113.1", "203.0.113.2");

      awaitTrue(() -> ring.members().size() == 3);
      assertThat(ring.members()).containsExactly(SELF, PEERS.get(0), PEERS.get(1));
    }
  }

  @Test
  void start_probesEveryInterval() throws IOException {
    try (MockWebServer server = new MockWebServer()) {
      int[] status = {500};
      server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          return new MockResponse().setResponseCode(status[0]);
        }
      });
      server.start(InetAddress.getByName("127.0.0.1"), 0);
      HostPort member = new HostPort("127.0.0.1", server.getPort());
      HealthCheckConfig fast = new HealthCheckConfig(1, 1, Duration.ofSeconds(5), Duration.ofMillis(20));
      try (ClusterRing ring = ring(SELF, new StaticMembership(List.of(member)), fast)) {
        ring.start();
        awaitTrue(() -> ring.healthyMembers().isEmpty());
        status[0] = 200;
        awaitTrue(() -> ring.healthyMembers().equals(List.of(member)));
      }
    }
  }

  private ClusterRing refreshed(MembershipSource source) {
    ClusterRing ring = ring(SELF, source, HEALTH);
    ring.refresh();
    return ring;
  }

  private ClusterRing ring(HostPort listen, MembershipSource source, HealthCheckConfig health) {
    Membership membership = new Membership(source, Duration.ofSeconds(5), clock);
    LocalAddresses local = new LocalAddresses(listen, Dns.SYSTEM);
    return new ClusterRing(membership, new HealthTracker(health, http), local, 3, scheduler);
  }

  private static List<HostPort> all() {
    return Stream.concat(Stream.of(SELF), PEERS.stream()).toList();
  }

  private static List<String> keys(int n) {
    return IntStream.range(0, n).mapToObj(i -> "repo/image-" + i + ":latest").toList();
  }

  private static String keyWithPrimary(ClusterRing ring, HostPort primary) {
    return keys(1_000).stream().filter(k -> ring.owners(k).get(0).equals(primary)).findFirst().orElseThrow();
  }

  private static void failTimes(ClusterRing ring, HostPort member, int times) {
    for (int i = 0; i < times; i++) {
      ring.recordFailure(member);
    }
  }

  /** Polls {@code condition} until it holds; fails after {@link Poll#DEADLINE}. */
  private static void awaitTrue(BooleanSupplier condition) {
    Poll.until(Poll.DEADLINE, "the ring's condition", condition);
  }
}
