package io.buildindex.hashring;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.buildindex.config.HostPort;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * Rendezvous (highest random weight) hashing over a fixed member set: the owners of a key are the
 * members with the highest {@code score(member, key)}. A pure function of the member set, whatever
 * order it comes in. Immutable and thread-safe.
 */
final class RendezvousRing {
  /*
   * Design: rendezvous rather than a ring of virtual nodes. Adding a member moves exactly the keys it
   * now wins (1/N of them, all to the newcomer) and removing one moves only the keys it owned; the
   * replica list is simply the next-best scores, with no virtual-node count to tune. A lookup costs
   * O(members), a few hundred nanoseconds for the tens of nodes of a datacenter.
   *
   * score = fmix64(hash(member) ^ hash(key)), where hash is 64-bit FNV-1a over the UTF-8 text
   * followed by MurmurHash3's fmix64 finalizer, and a member's text is HostPort.toString(). Every
   * node must compute identical scores, so none of this may depend on the JVM (no String.hashCode
   * seeds, no random salts) and changing it would split a cluster during a rolling upgrade:
   * RendezvousRingTest pins the owners of a few keys.
   */

  /** Highest score first; equal scores (practically never) fall back to member order. */
  private static final Comparator<Scored> BEST_FIRST =
      Comparator.<Scored>comparingLong(Scored::score).reversed().thenComparingInt(Scored::index);

  private final List<HostPort> members;
  private final long[] memberHashes;

  RendezvousRing(Collection<HostPort> members) {
    this.members = members.stream().distinct().sorted(Membership.BY_ADDRESS).toList();
    this.memberHashes = this.members.stream().mapToLong(m -> hash(m.toString())).toArray();
  }

  /** The members, sorted by host then port. */
  List<HostPort> members() {
    return members;
  }

  /** Up to {@code n} members accepted by {@code eligible}, best score for {@code key} first. */
  List<HostPort> owners(String key, int n, Predicate<HostPort> eligible) {
    long keyHash = hash(key);
    return IntStream.range(0, members.size())
        .filter(i -> eligible.test(members.get(i)))
        .mapToObj(i -> new Scored(i, fmix64(memberHashes[i] ^ keyHash) >>> 1))
        .sorted(BEST_FIRST)
        .limit(n)
        .map(s -> members.get(s.index()))
        .toList();
  }

  /** 64-bit FNV-1a of the UTF-8 bytes of {@code text}, finalized by {@link #fmix64}. */
  static long hash(String text) {
    long h = 0xcbf29ce484222325L;
    for (byte b : text.getBytes(UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return fmix64(h);
  }

  /** MurmurHash3's 64-bit finalizer: every input bit affects every output bit. */
  static long fmix64(long h) {
    h = (h ^ (h >>> 33)) * 0xff51afd7ed558ccdL;
    h = (h ^ (h >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return h ^ (h >>> 33);
  }

  /** A member's index and its score for one key; scores are kept non-negative to sort as longs. */
  private record Scored(int index, long score) {}
}
