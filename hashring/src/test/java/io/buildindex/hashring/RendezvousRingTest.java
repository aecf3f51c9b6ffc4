package io.buildindex.hashring;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.config.HostPort;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

final class RendezvousRingTest {
  private static final int KEYS = 10_000;
  /** Owners among {@code members(5)}, computed once (and cross-checked by an independent script). */
  private static final List<HostPort> PINNED_UBUNTU = List.of(
      HostPort.parse("10.0.0.5:15004"), HostPort.parse("10.0.0.1:15004"), HostPort.parse("10.0.0.2:15004"));
  private static final List<HostPort> PINNED_APP = List.of(
      HostPort.parse("10.0.0.5:15004"), HostPort.parse("10.0.0.2:15004"), HostPort.parse("10.0.0.1:15004"));

  @Test
  void owners_sameForAnyMemberOrder() {
    List<HostPort> members = members(10);
    List<HostPort> shuffled = new ArrayList<>(members);
    Collections.shuffle(shuffled, new Random(42));
    RendezvousRing a = new RendezvousRing(members);
    RendezvousRing b = new RendezvousRing(shuffled);

    for (String key : keys(1_000)) {
      assertThat(b.owners(key, 3, m -> true)).isEqualTo(a.owners(key, 3, m -> true));
    }
  }

  @Test
  void owners_distinctAndSizedByReplicaCount() {
    for (int n = 1; n <= 6; n++) {
      RendezvousRing ring = new RendezvousRing(members(n));
      for (int replicas = 1; replicas <= 4; replicas++) {
        List<HostPort> owners = ring.owners("library/ubuntu:22.04", replicas, m -> true);
        assertThat(owners).hasSize(Math.min(replicas, n)).doesNotHaveDuplicates();
        assertThat(ring.members()).containsAll(owners);
      }
    }
  }

  @Test
  void owners_pinnedAcrossVersions() {
    // Every node of a cluster must agree, including during a rolling upgrade: changing the hash
    // (or how a member is spelled for it) breaks this test on purpose.
    RendezvousRing ring = new RendezvousRing(members(5));

    assertThat(ring.owners("library/ubuntu:22.04", 3, m -> true)).isEqualTo(PINNED_UBUNTU);
    assertThat(ring.owners("team/app:v1.2.3", 3, m -> true)).isEqualTo(PINNED_APP);
  }

  @Test
  void owners_spreadEvenlyOverMembers() {
    RendezvousRing ring = new RendezvousRing(members(10));

    Map<HostPort, Integer> primaries = primaryCounts(ring);

    assertThat(primaries).hasSize(10);
    int fair = KEYS / 10;
    assertThat(primaries.values()).allSatisfy(count -> assertThat(count).isBetween(fair * 7 / 10, fair * 13 / 10));
  }

  @Test
  void addMember_movesAboutOneEleventhToTheNewcomer() {
    List<HostPort> ten = members(10);
    HostPort newcomer = new HostPort("10.0.0.11", 15004);
    List<HostPort> eleven = new ArrayList<>(ten);
    eleven.add(newcomer);
    RendezvousRing before = new RendezvousRing(ten);
    RendezvousRing after = new RendezvousRing(eleven);

    int moved = 0;
    for (String key : keys(KEYS)) {
      HostPort was = primary(before, key);
      HostPort now = primary(after, key);
      if (!was.equals(now)) {
        moved++;
        assertThat(now).isEqualTo(newcomer);
      }
    }

    int expected = KEYS / 11;
    assertThat(moved).isBetween(expected / 2, expected * 2);
  }

  @Test
  void removeMember_movesOnlyItsKeys() {
    List<HostPort> ten = members(10);
    HostPort leaving = ten.get(3);
    List<HostPort> nine = new ArrayList<>(ten);
    nine.remove(leaving);
    RendezvousRing before = new RendezvousRing(ten);
    RendezvousRing after = new RendezvousRing(nine);

    int moved = 0;
    for (String key : keys(KEYS)) {
      HostPort was = primary(before, key);
      if (!was.equals(primary(after, key))) {
        moved++;
        assertThat(was).isEqualTo(leaving);
      }
    }

    int expected = KEYS / 10;
    assertThat(moved).isBetween(expected / 2, expected * 2);
  }

  @Test
  void owners_ineligibleSkippedAndNextInLineTakesOver() {
    RendezvousRing ring = new RendezvousRing(members(5));
    List<HostPort> all = ring.owners("k", 5, m -> true);
    HostPort first = all.get(0);

    List<HostPort> withoutFirst = ring.owners("k", 2, m -> !m.equals(first));

    assertThat(withoutFirst).containsExactly(all.get(1), all.get(2));
  }

  @Test
  void hash_stableKnownValue() {
    // FNV-1a 64 of "" is its offset basis; fmix64 of it is fixed by MurmurHash3's constants.
    assertThat(RendezvousRing.hash("")).isEqualTo(RendezvousRing.fmix64(0xcbf29ce484222325L));
    assertThat(RendezvousRing.fmix64(0)).isZero();
  }

  static List<HostPort> members(int n) {
    return IntStream.rangeClosed(1, n).mapToObj(i -> new HostPort("10.0.0." + i, 15004)).toList();
  }

  private static List<String> keys(int n) {
    return IntStream.range(0, n).mapToObj(i -> "repo-" + (i % 97) + "/image-" + i + ":tag-" + (i * 31 % 1009)).toList();
  }

  private static HostPort primary(RendezvousRing ring, String key) {
    return ring.owners(key, 1, m -> true).get(0);
  }

  private static Map<HostPort, Integer> primaryCounts(RendezvousRing ring) {
    Map<HostPort, Integer> counts = new HashMap<>();
    keys(KEYS).forEach(key -> counts.merge(primary(ring, key), 1, Integer::sum));
    return counts;
  }
}
