package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.tagreplication.wire.NodeHeaders;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node that lost its disk comes back empty and is repaired from its peers by anti-entropy. */
final class ClusterAntiEntropyTest {
  private static final int WRITTEN_BEFORE = 200;
  private static final int WRITTEN_WHILE_DOWN = 20;
  /** Rounds run every second; a cold JVM and a loaded machine get the rest. */
  private static final Duration REPAIR_DEADLINE = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void wipedNode_restartedEmpty_isRepairedWithEveryTag() throws Exception {
    try (ClusterNodes cluster = ClusterNodes.start(dir, "ae", 3, ClusterAntiEntropyTest::yaml)) {
      ClusterNode wiped = cluster.node(2);
      Map<String, String> tags = new LinkedHashMap<>();
      for (int i = 0; i < WRITTEN_BEFORE; i++) {
        tags.put("team/ae:v" + i, digest(i));
      }
      putAll(cluster.nodes(), tags);
      assertThat(wiped.getLocalTag("team/ae:v0").text()).as("duplicated before the loss").isEqualTo(digest(0));

      wiped.stop();
      Map<String, String> missed = new LinkedHashMap<>();
      for (int i = 0; i < WRITTEN_WHILE_DOWN; i++) {
        missed.put("team/ae:missed" + i, digest(1000 + i));
      }
      missed.put("team/ae:v0", digest(2000)); // an overwrite it missed
      putAll(cluster.nodes().subList(0, 2), missed);
      tags.putAll(missed);
      wiped.wipeData(ClusterNode.dbOf(dir, wiped.name()));
      wiped.start();

      cluster.await(REPAIR_DEADLINE, "anti-entropy repairs " + tags.size() + " tags on " + wiped,
          () -> wiped.metric("antientropy_repaired") >= tags.size());
      tags.forEach((tag, digest) -> {
        var local = wiped.getLocalTag(tag);
        assertThat(local.status()).as("%s on %s", tag, wiped).isEqualTo(200);
        assertThat(local.text()).as("%s on %s", tag, wiped).isEqualTo(digest);
      });
      assertThat(cluster.node(0).getLocalTag("team/ae:v0").header(NodeHeaders.GENERATION))
          .isEqualTo(wiped.getLocalTag("team/ae:v0").header(NodeHeaders.GENERATION));
    }
  }

  /** PUTs every tag, spread over {@code writers} and a few at a time; each must answer 200. */
  private static void putAll(List<ClusterNode> writers, Map<String, String> tags) throws Exception {
    try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
      List<Future<?>> puts = new ArrayList<>();
      int i = 0;
      for (Map.Entry<String, String> e : tags.entrySet()) {
        ClusterNode writer = writers.get(i++ % writers.size());
        puts.add(pool.submit(() -> writer.putTagOk(e.getKey(), e.getValue())));
      }
      for (Future<?> put : puts) {
        put.get();
      }
    }
  }

  private static String yaml(int index, List<Integer> ports, Path db) {
    return ClusterNode.yaml(ports.get(index), db, "cluster:\n"
        + "  hosts: {static: " + ClusterNodes.hostList(ports, 3) + "}\n"
        + "  max_replica: 3\n"
        + "  healthcheck: {fails: 1, passes: 1, timeout: 1s, interval: 1s}\n"
        + "  anti_entropy_interval: 1s\n");
  }
}
