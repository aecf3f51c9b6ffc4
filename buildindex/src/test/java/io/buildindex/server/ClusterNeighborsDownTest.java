package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose neighbors are all down still takes writes (200) and counts that the write lives on
 * it alone: {@code duplicate_put_failures}, {@code duplicate_replicate_failures}.
 */
final class ClusterNeighborsDownTest {
  @TempDir Path dir;

  @Test
  void put_everyNeighborDown_succeedsAndCountsFailures() {
    // No active probes and a high failure threshold: the survivor keeps calling the dead neighbors,
    // so what is tested is the failure of every call, not a race with the health checker.
    String health = "{fails: 100, passes: 1, timeout: 1s, interval: 1h}";
    try (ClusterNodes cluster = ClusterNodes.start(dir, "down", 3, (i, ports, db) -> yaml(i, ports, db, 3, health))) {
      ClusterNode survivor = cluster.node(0);
      survivor.putTagOk("team/app:before", digest(1));
      assertThat(survivor.metric("duplicate_put_failures")).as("all neighbors up").isZero();

      cluster.node(1).kill();
      cluster.node(2).kill();

      survivor.putTagOk("team/app:alone", digest(2));
      assertThat(survivor.getLocalTag("team/app:alone").text()).isEqualTo(digest(2));
      assertThat(survivor.metric("duplicate_put_failures")).isGreaterThanOrEqualTo(1);
      assertThat(survivor.metric("duplicate_replicate_failures")).as("no replicated write yet").isZero();

      survivor.ok("replicated PUT", survivor.putReplicated("team/app:replicated", digest(3)));
      assertThat(survivor.getLocalTag("team/app:replicated").text()).isEqualTo(digest(3));
      assertThat(survivor.metric("duplicate_put_failures")).isGreaterThanOrEqualTo(2);
      assertThat(survivor.metric("duplicate_replicate_failures")).isGreaterThanOrEqualTo(1);
      assertThat(survivor.log()).contains("failed on every neighbor");
    }
  }

  /*
   * With real health checks the dead neighbors are soon judged unhealthy and leave the ring: the
   * survivor then is the only owner of every tag, calls nobody, and nothing fails. Yet the write
   * lives on this node alone (and a replicated one has no backup tasks on any neighbor), which is
   * what the counters are for. Fails at the time of writing: Neighbors.fanOut returns before
   * counting when the ring names no other owner.
   */
  @Test
  void put_neighborsAlreadyJudgedDown_stillCountsTheUnduplicatedWrite() {
    String health = "{fails: 1, passes: 1, timeout: 1s, interval: 1s}";
    try (ClusterNodes cluster = ClusterNodes.start(dir, "judged", 2, (i, ports, db) -> yaml(i, ports, db, 2, health))) {
      ClusterNode survivor = cluster.node(0);
      cluster.node(1).kill();
      cluster.await(Duration.ofSeconds(30), "survivor judges its neighbor unhealthy",
          () -> survivor.metric("hashring_healthy_members") == 1);

      survivor.putTagOk("team/app:alone", digest(4));
      survivor.ok("replicated PUT", survivor.putReplicated("team/app:replicated", digest(5)));

      assertThat(survivor.metric("duplicate_put_failures")).as("writes that live on this node alone").isEqualTo(2);
      assertThat(survivor.metric("duplicate_replicate_failures")).isEqualTo(1);
    }
  }

  private static String yaml(int index, List<Integer> ports, Path db, int nodes, String healthcheck) {
    return ClusterNode.yaml(ports.get(index), db, "cluster:\n"
        + "  hosts: {static: " + ClusterNodes.hostList(ports, nodes) + "}\n"
        + "  max_replica: " + nodes + "\n"
        + "  healthcheck: " + healthcheck + "\n");
  }
}
