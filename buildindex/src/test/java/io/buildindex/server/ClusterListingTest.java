package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.buildindex.config.HostPort;
import io.buildindex.server.RawHttp.Response;
import io.buildindex.tagreplication.wire.NodeHeaders;
import io.buildindex.testing.Slow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #10 part 1 on five real nodes with {@code max_replica: 2}, where each node stores only the
 * tags it owns: {@code GET /list/...} and {@code GET /repositories/.../tags} on any node list every
 * live tag of the cluster once, in order, paging with tokens any node accepts; with one node
 * killed (SIGKILL) the lists stay complete; with a second one killed that shares tags with it
 * (tags with no reachable owner) they are 503s naming the dead members.
 */
@Slow
final class ClusterListingTest {
  private static final int NODES = 5;
  private static final int TAGS = 250;
  private static final int LIMIT = 7;

  @TempDir Path dir;

  static String clusterYaml(List<Integer> ports) {
    return "cluster:\n"
        + "  hosts: {static: " + ClusterNodes.hostList(ports, NODES) + "}\n"
        + "  max_replica: 2\n"
        + "  healthcheck: {fails: 1, passes: 1, timeout: 2s, interval: 1s}\n"
        + "  anti_entropy_interval: 1h\n";
  }

  @Test
  void listsAreCompleteOnEveryNode_stayCompleteWithOneNodeDead_and503WhenTagsHaveNoReachableOwner() {
    try (ClusterNodes cluster = ClusterNodes.start(dir, "ring", NODES,
        (i, ports, db) -> ClusterNode.yaml(ports.get(i), db, clusterYaml(ports)))) {
      TreeSet<String> live = new TreeSet<>();
      for (int i = 0; i < TAGS; i++) {
        String tag = "scale/app:v" + i;
        cluster.node(i % NODES).putTagOk(tag, digest(i + 1));
        live.add(tag);
      }
      cluster.node(0).putTagOk("scale/other:v1", digest(1)); // another repository, under another prefix
      for (int i = 0; i < TAGS; i += 25) { // deleted through a node other than the writer
        String tag = "scale/app:v" + i;
        assertThat(cluster.node((i + 2) % NODES).send("DELETE", "/tags/" + TestServer.escape(tag), Map.of()).status())
            .isEqualTo(204);
        live.remove(tag);
      }
      List<String> names = live.stream().map(t -> t.substring("scale/app:".length())).toList();

      List<Integer> localSizes = new ArrayList<>();
      for (ClusterNode node : cluster.nodes()) {
        assertThat(pageThrough(node, "/list/scale/app")).as("list on " + node).containsExactlyElementsOf(live);
        assertThat(pageThrough(node, "/repositories/scale%2Fapp/tags")).as("tags on " + node)
            .containsExactlyElementsOf(names);
        assertThat(pageThrough(node, "/list/scale/app/_manifests/tags")).as("Kraken proxy's form on " + node)
            .containsExactlyElementsOf(live);
        localSizes.add(forwardedList(node).size());
      }
      assertThat(localSizes).as("each node alone holds only its own tags").allMatch(n -> n < live.size());
      assertThat(acrossNodes(i -> cluster.node(i % NODES), "/list/scale/app")).as("page n from node n")
          .containsExactlyElementsOf(live);

      ClusterNode dead = cluster.node(4);
      dead.kill();
      List<ClusterNode> alive = cluster.nodes().subList(0, 4);
      for (ClusterNode node : alive) {
        assertThat(pageThrough(node, "/list/scale/app")).as("with " + dead + " just killed, on " + node)
            .containsExactlyElementsOf(live);
      }
      cluster.await(Duration.ofSeconds(30), "the survivors judge " + dead + " unhealthy",
          () -> alive.stream().allMatch(n -> n.metric("hashring_healthy_members") == NODES - 1));
      for (ClusterNode node : alive) {
        assertThat(pageThrough(node, "/repositories/scale%2Fapp/tags")).as("with " + dead + " judged down, on " + node)
            .containsExactlyElementsOf(names);
      }
      assertThat(acrossNodes(i -> alive.get(i % alive.size()), "/list/scale/app")).containsExactlyElementsOf(live);
      assertThat(alive.get(0).metric("cluster_list_fanout_failures")).as("exported (whether a call failed depends on"
          + " when the ring judged the node down)").isNotNegative();

      ClusterNode neighbour = cluster.node(sharesTagsWith(cluster, 4, live));
      neighbour.kill();
      for (ClusterNode node : cluster.nodes()) {
        if (node == dead || node == neighbour) {
          continue;
        }
        for (String path : List.of("/list/scale/app?limit=7", "/repositories/scale%2Fapp/tags", "/list/scale/app")) {
          Response response = node.get(path);
          assertThat(response.status()).as(path + " on " + node + ": " + response.text()).isEqualTo(503);
          assertThat(json(response).path("message").asText()).contains(dead.address(), neighbour.address());
        }
        assertThat(node.metric("cluster_list_incomplete")).isGreaterThanOrEqualTo(3);
        assertThat(forwardedList(node)).as("a forwarded list is still answered locally").isNotEmpty();
      }
    }
  }

  /** Every page of {@code path} with limit 7 on {@code node}, following {@code Links.next}; each page checked. */
  private static List<String> pageThrough(ClusterNode node, String path) {
    return acrossNodes(i -> node, path);
  }

  /** As {@link #pageThrough}, page {@code n} asked of {@code nodeOfPage.apply(n)}, as behind a load balancer. */
  private static List<String> acrossNodes(IntFunction<ClusterNode> nodeOfPage, String path) {
    List<String> all = new ArrayList<>();
    String target = path + (path.contains("?") ? "" : "?limit=" + LIMIT);
    for (int page = 0; ; page++) {
      ClusterNode node = nodeOfPage.apply(page);
      Response response = node.ok("GET " + target, node.get(target));
      JsonNode body = json(response);
      List<String> items = new ArrayList<>();
      body.path("result").forEach(n -> items.add(n.asText()));
      assertThat(body.path("size").asInt()).isEqualTo(items.size());
      all.addAll(items);
      String next = body.path("Links").path("next").asText();
      if (next.isEmpty()) {
        assertThat(all).as("no name twice").doesNotHaveDuplicates();
        return all;
      }
      assertThat(items).as("a page before the last is full").hasSize(LIMIT);
      assertThat(next).startsWith(path.replaceFirst("\\?.*", "") + "?limit=" + LIMIT + "&offset=");
      target = next;
      assertThat(page).as("pages of " + path).isLessThan(TAGS);
    }
  }

  /** The first page of a list marked forwarded: what {@code node} holds itself. */
  private static List<String> forwardedList(ClusterNode node) {
    Response response = node.ok("forwarded list", node.send("GET", "/list/scale/app?limit=1000", Map.of(NodeHeaders.FORWARDED, "1")));
    List<String> items = new ArrayList<>();
    json(response).path("result").forEach(n -> items.add(n.asText()));
    return items;
  }

  /** Another node that owns some live tag together with node {@code index}. */
  private static int sharesTagsWith(ClusterNodes cluster, int index, Set<String> live) {
    List<Integer> ports = cluster.nodes().stream().map(ClusterNode::port).toList();
    Map<String, List<HostPort>> owners = ClusterRings.owners(clusterYaml(ports), ports.get(0), live);
    HostPort node = new HostPort("127.0.0.1", ports.get(index));
    return IntStream.range(0, NODES).filter(i -> i != index).filter(i -> owners.values().stream()
            .anyMatch(o -> Set.copyOf(o).equals(Set.of(node, new HostPort("127.0.0.1", ports.get(i))))))
        .findFirst().orElseThrow(() -> new AssertionError("no live tag owned by node " + index + " and another"));
  }

  private static JsonNode json(Response response) {
    try {
      return TestServer.JSON.readTree(response.text());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
