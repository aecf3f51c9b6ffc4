package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.config.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node holding tags it does not own (written before writes were routed, or owned before a
 * membership change) hands them to their owners in anti-entropy (issue #12, item 3).
 */
final class ClusterHandOffTest {
  private static final int TAGS = 24;

  @TempDir Path dir;

  @Test
  void nonOwnedRecords_reachTheirOwners() {
    // Node 2's database already holds the tags, as a single node would have written them.
    try (TestServer seed = TestServer.start(ClusterNode.dbOf(dir, "handoff-2").getParent())) {
      for (int i = 0; i < TAGS; i++) {
        assertThat(seed.putTag(tag(i), digest(i)).status()).isEqualTo(200);
      }
    }
    try (ClusterNodes four = ClusterNodes.start(dir, "handoff", 4,
        (i, ports, db) -> ClusterNode.yaml(ports.get(i), db, clusterYaml(ports)))) {
      List<Integer> ports = four.nodes().stream().map(ClusterNode::port).toList();
      Map<String, List<HostPort>> owners = ClusterRings.owners(clusterYaml(ports), ports.get(0),
          IntStream.range(0, TAGS).mapToObj(ClusterHandOffTest::tag).toList());
      HostPort holder = new HostPort("127.0.0.1", ports.get(2));
      List<String> handedOff = owners.keySet().stream().filter(t -> !owners.get(t).contains(holder)).sorted().toList();
      assertThat(handedOff).as("some seeded tags are not node 2's").isNotEmpty();

      four.await(Duration.ofSeconds(120), "every tag node 2 does not own is on both its owners", () -> handedOff.stream()
          .allMatch(t -> owners.get(t).stream().allMatch(o -> node(four, o).getLocalTag(t).status() == 200)));

      for (String t : handedOff) {
        for (HostPort o : owners.get(t)) {
          assertThat(node(four, o).getLocalTag(t).text()).isEqualTo(digest(Integer.parseInt(t.substring(t.indexOf(":v") + 2))));
        }
      }
    }
  }

  private static String tag(int i) {
    return "team/handoff:v" + i;
  }

  private static ClusterNode node(ClusterNodes nodes, HostPort address) {
    return nodes.nodes().stream().filter(n -> n.port() == address.port()).findFirst().orElseThrow();
  }

  private static String clusterYaml(List<Integer> ports) {
    return "cluster:\n"
        + "  hosts: {static: " + ClusterNodes.hostList(ports, 4) + "}\n"
        + "  max_replica: 2\n"
        + "  healthcheck: {fails: 3, passes: 1, timeout: 1s, interval: 1s}\n"
        + "  anti_entropy_interval: 1s\n";
  }
}
