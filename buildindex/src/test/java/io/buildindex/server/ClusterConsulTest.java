package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.hashring.testing.FakeConsul;
import io.buildindex.server.RawHttp.Response;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes whose members come from a (fake) Consul agent, refreshed every second: instances
 * joining and leaving the service join and leave the ring, and an unreachable agent leaves the
 * nodes serving on their last known membership, ready but saying so. Each test sets up the
 * registrations it needs, so they run in any order.
 */
final class ClusterConsulTest {
  /** Several one-second refreshes on a loaded machine. */
  private static final Duration CONVERGENCE = Duration.ofSeconds(30);

  @TempDir static Path dir;
  static FakeConsul consul;
  static ClusterNodes cluster;
  static ClusterNode first;
  static ClusterNode second;

  @BeforeAll
  static void start() {
    consul = new FakeConsul("");
    cluster = ClusterNodes.start(dir, "consul", 2, (i, ports, db) -> ClusterNode.yaml(ports.get(i), db, "cluster:\n"
        + "  hosts:\n"
        + "    consul: {address: \"" + consul.address() + "\", service: build-index}\n"
        + "    ttl: 1s\n"
        + "  max_replica: 2\n"));
    first = cluster.node(0);
    second = cluster.node(1);
  }

  @AfterAll
  static void stop() {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      consul.close();
    }
  }

  @AfterEach
  void consulBackUp() {
    consul.restart();
  }

  @Test
  void instanceRegistered_joinsTheRing_andReceivesDuplicates() {
    register(first);
    register(second);
    awaitMembers(first, 2);
    awaitMembers(second, 2);

    first.putTagOk("team/consul:joined", digest(1));

    assertThat(second.getLocalTag("team/consul:joined").text()).isEqualTo(digest(1));
  }

  @Test
  void instanceDeregistered_leavesTheRing_andReceivesNothing() {
    register(first);
    register(second);
    awaitMembers(first, 2);

    consul.deregister(instance(second).id());

    awaitMembers(first, 1);
    first.putTagOk("team/consul:left", digest(2));
    assertThat(second.getLocalTag("team/consul:left").status()).isEqualTo(404);
    assertThat(first.metric("duplicate_put_failures")).as("a departed member is not called at all").isZero();
  }

  @Test
  void consulUnreachable_nodeStaysReady_onLastKnownMembership_andSaysSo() {
    register(first);
    register(second);
    awaitMembers(first, 2);
    cluster.await(CONVERGENCE, "membership fresh", () -> first.metric("hashring_membership_stale") == 0);

    consul.stop();

    cluster.await(CONVERGENCE, first + " notices Consul is gone", () -> first.metric("hashring_membership_stale") == 1);
    Response ready = first.get("/readiness");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.text()).contains("warning: membership (consul)");
    assertThat(first.metric("hashring_members")).as("last known membership kept").isEqualTo(2);
    first.putTagOk("team/consul:stale", digest(3));
    assertThat(second.getLocalTag("team/consul:stale").text()).isEqualTo(digest(3));

    consul.restart();

    cluster.await(CONVERGENCE, first + " sees Consul again", () -> first.metric("hashring_membership_stale") == 0);
    assertThat(first.get("/readiness").text()).doesNotContain("warning");
  }

  /** Registers {@code node}'s instance of the service, replacing an earlier registration of it. */
  private static void register(ClusterNode node) {
    consul.deregister(instance(node).id());
    consul.register(instance(node));
  }

  private static FakeConsul.Instance instance(ClusterNode node) {
    return FakeConsul.Instance.of("build-index", "127.0.0.1", node.port());
  }

  private static void awaitMembers(ClusterNode node, int members) {
    cluster.await(CONVERGENCE, node + " has " + members + " members",
        () -> node.metric("hashring_members") == members);
  }
}
