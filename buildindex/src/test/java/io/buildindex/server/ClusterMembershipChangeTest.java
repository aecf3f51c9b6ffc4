package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.config.HostPort;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Adding a fourth member to a three-node static list moves a bounded share of the tags, all of it
 * to the new member: rendezvous hashing, computed from node configs as the nodes compute it. No
 * process is started and nothing is dialled (probes are hours apart).
 */
final class ClusterMembershipChangeTest {
  private static final int TAGS = 1000;
  /** Any four ports: the ring only hashes them. */
  private static final List<Integer> PORTS = List.of(17001, 17002, 17003, 17004);
  private static final List<String> TAG_NAMES =
      IntStream.range(0, TAGS).mapToObj(i -> "team/app-" + (i % 37) + ":build-" + i).toList();

  @Test
  void addFourthMember_maxReplicaOne_movesAboutAQuarterOfTags_onlyToTheNewMember() {
    Map<String, List<HostPort>> before = owners(3, 1);
    Map<String, List<HostPort>> after = owners(4, 1);

    long moved = TAG_NAMES.stream().filter(t -> !before.get(t).equals(after.get(t))).count();

    assertThat((double) moved / TAGS).isBetween(0.15, 0.4);
    assertThat(TAG_NAMES.stream().filter(t -> !before.get(t).equals(after.get(t))).map(t -> after.get(t).get(0)))
        .as("a tag that moves, moves to the new member").containsOnly(member(3));
  }

  @Test
  void addFourthMember_maxReplicaTwo_movesAboutAQuarterOfCopies_onlyToTheNewMember() {
    Map<String, List<HostPort>> before = owners(3, 2);
    Map<String, List<HostPort>> after = owners(4, 2);
    int movedCopies = 0;
    Set<HostPort> gainers = new HashSet<>();

    for (String tag : TAG_NAMES) {
      Set<HostPort> gained = new HashSet<>(after.get(tag));
      gained.removeAll(before.get(tag));
      movedCopies += gained.size();
      gainers.addAll(gained);
      assertThat(after.get(tag)).as("%s keeps at least one owner", tag).containsAnyElementsOf(before.get(tag));
    }

    // The new member takes 2/4 of the tags but only one of the two copies of each: 1/4 of all copies.
    assertThat((double) movedCopies / (2 * TAGS)).isBetween(0.15, 0.4);
    assertThat(gainers).containsExactly(member(3));
  }

  @Test
  void sameMembers_anyNode_computesTheSameOwners() {
    Map<String, List<HostPort>> fromFirst = ClusterRings.owners(clusterYaml(3, 2), PORTS.get(0), TAG_NAMES);
    Map<String, List<HostPort>> fromThird = ClusterRings.owners(clusterYaml(3, 2), PORTS.get(2), TAG_NAMES);

    assertThat(fromThird).isEqualTo(fromFirst);
  }

  private static Map<String, List<HostPort>> owners(int members, int maxReplica) {
    return ClusterRings.owners(clusterYaml(members, maxReplica), PORTS.get(0), TAG_NAMES);
  }

  private static String clusterYaml(int members, int maxReplica) {
    return "cluster:\n"
        + "  hosts: {static: " + ClusterNodes.hostList(PORTS, members) + "}\n"
        + "  max_replica: " + maxReplica + "\n"
        + "  healthcheck: {interval: 1h}\n";
  }

  private static HostPort member(int index) {
    return new HostPort("127.0.0.1", PORTS.get(index));
  }
}
