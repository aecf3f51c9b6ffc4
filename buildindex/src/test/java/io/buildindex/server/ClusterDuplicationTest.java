package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.config.HostPort;
import io.buildindex.server.RawHttp.Response;
import io.buildindex.tagreplication.wire.NodeHeaders;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real nodes: a PUT to one reaches the tag's other owners before the client's 200 (Kraken's
 * DuplicatePut), and a node that does not own a tag still answers for it by asking the owners.
 * Anti-entropy is slowed to an hour here so that only duplication can have delivered a tag.
 */
final class ClusterDuplicationTest {
  @TempDir static Path dir;
  /** max_replica 3 of 3: every node owns every tag. */
  static ClusterNodes all;
  /** max_replica 2 of 3: one node of the three owns nothing of a given tag. */
  static ClusterNodes pair;

  @BeforeAll
  static void startClusters() {
    // Both at once: start-up is mostly waiting on JVMs.
    CompletableFuture<ClusterNodes> three = CompletableFuture.supplyAsync(() -> ClusterNodes.start(dir, "all", 3,
        (i, ports, db) -> ClusterNode.yaml(ports.get(i), db, clusterYaml(ports, 3))));
    CompletableFuture<ClusterNodes> two = CompletableFuture.supplyAsync(() -> ClusterNodes.start(dir, "pair", 3,
        (i, ports, db) -> ClusterNode.yaml(ports.get(i), db, clusterYaml(ports, 2))));
    try {
      all = three.join();
    } finally {
      pair = two.join(); // even when the first failed: its nodes must not outlive the class
    }
  }

  @AfterAll
  static void stopClusters() {
    try {
      if (all != null) {
        all.close();
      }
    } finally {
      if (pair != null) {
        pair.close();
      }
    }
  }

  static String clusterYaml(List<Integer> ports, int maxReplica) {
    return "cluster:\n"
        + "  hosts: {static: " + ClusterNodes.hostList(ports, 3) + "}\n"
        + "  max_replica: " + maxReplica + "\n"
        + "  healthcheck: {fails: 3, passes: 1, timeout: 5s, interval: 1s}\n"
        + "  anti_entropy_interval: 1h\n";
  }

  @Test
  void put_maxReplicaThree_everyNodeHoldsItLocallyUnderOneGeneration() {
    for (int writer = 0; writer < 3; writer++) {
      String tag = "team/dup:from-" + writer;

      all.node(writer).putTagOk(tag, digest(writer));

      for (ClusterNode node : all.nodes()) {
        Response local = node.getLocalTag(tag);
        assertThat(local.status()).as("%s holds %s written to node %d", node, tag, writer).isEqualTo(200);
        assertThat(local.text()).isEqualTo(digest(writer));
      }
      assertThat(all.nodes().stream().map(n -> n.getLocalTag(tag).header(NodeHeaders.GENERATION)).distinct())
          .as("every owner stores the write under the writer's generation").hasSize(1).doesNotContainNull();
    }
  }

  @Test
  void overwrite_maxReplicaThree_everyNodeHoldsTheNewDigest() {
    String tag = "team/dup:moving";
    all.node(0).putTagOk(tag, digest(1));

    all.node(2).putTagOk(tag, digest(2));

    for (ClusterNode node : all.nodes()) {
      assertThat(node.getLocalTag(tag).text()).as("%s", node).isEqualTo(digest(2));
    }
  }

  @Test
  void delete_maxReplicaThree_everyNodeHoldsTheTombstone() {
    String tag = "team/dup:deleted";
    all.node(0).putTagOk(tag, digest(3));
    assertThat(all.node(2).getLocalTag(tag).status()).as("duplicated before the delete").isEqualTo(200);

    assertThat(all.node(1).send("DELETE", "/tags/" + TestServer.escape(tag), Map.of()).status()).isEqualTo(204);

    for (ClusterNode node : all.nodes()) {
      assertThat(node.getLocalTag(tag).status()).as("%s", node).isEqualTo(404);
      assertThat(node.getTag(tag).status()).as("%s, asking owners", node).isEqualTo(404);
    }
  }

  @Test
  void put_maxReplicaTwo_nonOwnerLacksItLocally_butAnswersFromTheOwners() {
    String tag = tagOwnedBy(0, 1);

    pair.node(0).putTagOk(tag, digest(10));

    assertThat(pair.node(0).getLocalTag(tag).text()).isEqualTo(digest(10));
    assertThat(pair.node(1).getLocalTag(tag).text()).as("the other owner").isEqualTo(digest(10));
    assertThat(pair.node(2).getLocalTag(tag).status()).as("the non-owner, locally").isEqualTo(404);
    Response read = pair.node(2).getTag(tag);
    assertThat(read.status()).as("the non-owner, asking the owners").isEqualTo(200);
    assertThat(read.text()).isEqualTo(digest(10));
    assertThat(read.header(NodeHeaders.GENERATION)).isEqualTo(pair.node(0).getLocalTag(tag).header(NodeHeaders.GENERATION));
    assertThat(pair.node(2).getLocalTag(tag).status()).as("a read does not store on the non-owner").isEqualTo(404);
  }

  @Test
  void put_maxReplicaTwo_toNonOwner_reachesBothOwners() {
    String tag = tagOwnedBy(1, 2);

    pair.node(0).putTagOk(tag, digest(11));

    assertThat(pair.node(1).getLocalTag(tag).text()).isEqualTo(digest(11));
    assertThat(pair.node(2).getLocalTag(tag).text()).isEqualTo(digest(11));
  }

  @Test
  void delete_onAnOwnerTheWriteHasNotReachedYet_deletesItEverywhere() {
    String tag = tagOwnedBy(0, 1);
    // Stored on owner 0 alone, as when the delete overtakes the put's duplicate to owner 1.
    pair.node(0).ok("DuplicatePut", pair.node(0).duplicatePut(tag, digest(12)));
    assertThat(pair.node(1).getLocalTag(tag).status()).as("not on the other owner").isEqualTo(404);

    assertThat(pair.node(1).send("DELETE", "/tags/" + TestServer.escape(tag), Map.of()).status())
        .as("the other owner asks owner 0 before answering 404").isEqualTo(204);

    for (ClusterNode node : pair.nodes()) {
      assertThat(node.getTag(tag).status()).as("%s", node).isEqualTo(404);
    }
    assertThat(pair.node(0).getLocalTag(tag).status()).as("the tombstone reached owner 0").isEqualTo(404);
    assertThat(pair.node(1).send("DELETE", "/tags/" + TestServer.escape(tag), Map.of()).status())
        .as("deleted: a second delete finds nothing").isEqualTo(404);
  }

  @Test
  void get_maxReplicaTwo_unknownTag_notFoundEverywhere() {
    for (ClusterNode node : pair.nodes()) {
      assertThat(node.getTag("team/pair:never-written").status()).as("%s", node).isEqualTo(404);
    }
  }

  /** A tag whose two owners on the {@code pair} cluster are exactly nodes {@code a} and {@code b}. */
  private static String tagOwnedBy(int a, int b) {
    List<Integer> ports = pair.nodes().stream().map(ClusterNode::port).toList();
    List<String> candidates = IntStream.range(0, 200).mapToObj(i -> "team/pair-" + a + b + ":v" + i).toList();
    Map<String, List<HostPort>> owners = ClusterRings.owners(clusterYaml(ports, 2), ports.get(0), candidates);
    Set<HostPort> wanted = Set.of(new HostPort("127.0.0.1", ports.get(a)), new HostPort("127.0.0.1", ports.get(b)));
    return candidates.stream().filter(t -> Set.copyOf(owners.get(t)).equals(wanted)).findFirst()
        .orElseThrow(() -> new AssertionError("no candidate owned by nodes " + a + " and " + b + ": " + owners));
  }
}
