package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.server.RawHttp.Response;
import io.buildindex.tagreplication.wire.NodeHeaders;
import io.buildindex.testing.Poll;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kraken's DuplicateReplicate: the neighbors of the node that took a replicated write hold
 * replication tasks of their own, due after their staggered delay, so the write reaches the remote
 * datacenter even when that node dies before delivering it.
 */
final class ClusterPrimaryDeathTest {
  /** Two replicate staggers (2 s each) plus retries at most 2 s apart, with ample room for a slow machine. */
  private static final Duration DELIVERY_DEADLINE = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void replicatedPut_primaryKilledBeforeRemoteIsUp_neighborsDeliverIt() {
    // One spare port: the remote datacenter, down while the cluster takes the write.
    try (ClusterNodes cluster = ClusterNodes.start(dir, "dc1", 3, 1, ClusterPrimaryDeathTest::dc1Yaml)) {
      int remotePort = cluster.spare(0);
      try (ClusterNode remote = new ClusterNode(dir, "dc2", remotePort,
          ClusterNode.yaml(remotePort, ClusterNode.dbOf(dir, "dc2"), ""))) {
        ClusterNode primary = cluster.node(0);
        String tag = "team/app:v1";

        Response put = primary.putReplicated(tag, digest(7));
        primary.kill();

        primary.ok("replicated PUT", put);
        String generation = put.header(NodeHeaders.GENERATION);
        remote.start();
        Poll.until(DELIVERY_DEADLINE, "the remote has " + tag,
            () -> remote.getTag(tag).status() == 200, () -> cluster.logs() + "\n" + remote.logTail());
        Response delivered = remote.getTag(tag);
        assertThat(delivered.text()).isEqualTo(digest(7));
        assertThat(delivered.header(NodeHeaders.GENERATION)).as("the write's own generation").isEqualTo(generation);
      }
    }
  }

  private static String dc1Yaml(int index, List<Integer> ports, Path db) {
    return ClusterNode.yaml(ports.get(index), db, "cluster:\n"
        + "  hosts: {static: " + ClusterNodes.hostList(ports, 3) + "}\n"
        + "  max_replica: 3\n"
        + "  healthcheck: {fails: 1, passes: 1, timeout: 1s, interval: 1s}\n"
        + "remotes: {\"127.0.0.1:" + ports.get(3) + "\": [\"team/.*\"]}\n"
        + "tag_replication: {retry_interval: 1s, max_retry_interval: 2s, poll_retries_interval: 1s}\n");
  }
}
