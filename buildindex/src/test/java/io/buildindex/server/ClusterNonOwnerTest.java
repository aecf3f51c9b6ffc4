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
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four real nodes with {@code max_replica: 2} (issue #12, item 3): a write through a node that does
 * not own the tag must leave no copy there that the owners' later writes and deletes never reach.
 */
final class ClusterNonOwnerTest {
  @TempDir static Path dir;
  static ClusterNodes four;

  @BeforeAll
  static void start() {
    four = ClusterNodes.start(dir, "four", 4, (i, ports, db) -> ClusterNode.yaml(ports.get(i), db, clusterYaml(ports)));
  }

  @AfterAll
  static void stop() {
    if (four != null) {
      four.close();
    }
  }

  static String clusterYaml(List<Integer> ports) {
    return "cluster:\n"
        + "  hosts: {static: " + ClusterNodes.hostList(ports, 4) + "}\n"
        + "  max_replica: 2\n"
        + "  healthcheck: {fails: 3, passes: 1, timeout: 5s, interval: 1s}\n"
        + "  anti_entropy_interval: 1h\n";
  }

  @Test
  void putThroughNonOwner_thenOwnersUpdateAndDelete_nonOwnerNeverServesTheOldState() {
    String tag = tagOwnedBy(0, 1);
    ClusterNode nonOwner = four.node(2);

    Response put = nonOwner.putTagOk(tag, digest(1));
    assertThat(put.header(NodeHeaders.OUTCOME)).isEqualTo("applied");
    assertThat(put.header(NodeHeaders.GENERATION)).isEqualTo(four.node(0).getLocalTag(tag).header(NodeHeaders.GENERATION));
    assertThat(nonOwner.getLocalTag(tag).status()).as("no copy kept on the non-owner").isEqualTo(404);
    assertThat(four.node(1).getLocalTag(tag).text()).isEqualTo(digest(1));

    four.node(0).putTagOk(tag, digest(2));
    assertThat(nonOwner.getTag(tag).text()).as("the owners' later write").isEqualTo(digest(2));
    assertThat(four.node(3).getTag(tag).text()).isEqualTo(digest(2));

    assertThat(four.node(1).send("DELETE", "/tags/" + TestServer.escape(tag), Map.of()).status()).isEqualTo(204);
    assertThat(nonOwner.getTag(tag).status()).as("the owners' delete").isEqualTo(404);
  }

  @Test
  void deleteThroughNonOwner_reachesTheOwners() {
    String tag = tagOwnedBy(2, 3);
    four.node(2).putTagOk(tag, digest(3));

    assertThat(four.node(0).send("DELETE", "/tags/" + TestServer.escape(tag), Map.of()).status())
        .as("the non-owner holds nothing, the owners do").isEqualTo(204);

    assertThat(four.node(2).getLocalTag(tag).status()).isEqualTo(404);
    assertThat(four.node(3).getLocalTag(tag).status()).isEqualTo(404);
    assertThat(four.node(0).send("DELETE", "/tags/" + TestServer.escape("team/four:never-written"), Map.of()).status())
        .as("an unknown tag is the owners' 404").isEqualTo(404);
  }

  /** A tag whose two owners are exactly nodes {@code a} and {@code b}. */
  private static String tagOwnedBy(int a, int b) {
    List<Integer> ports = four.nodes().stream().map(ClusterNode::port).toList();
    List<String> candidates = IntStream.range(0, 400).mapToObj(i -> "team/four-" + a + b + ":v" + i).toList();
    Map<String, List<HostPort>> owners = ClusterRings.owners(clusterYaml(ports), ports.get(0), candidates);
    Set<HostPort> wanted = Set.of(new HostPort("127.0.0.1", ports.get(a)), new HostPort("127.0.0.1", ports.get(b)));
    return candidates.stream().filter(t -> Set.copyOf(owners.get(t)).equals(wanted)).findFirst()
        .orElseThrow(() -> new AssertionError("no candidate owned by nodes " + a + " and " + b + ": " + owners));
  }
}
