package io.buildindex.hashring;

import io.buildindex.config.HostPort;
import java.util.List;

/**
 * The nodes of this datacenter that own each key (a tag name), by rendezvous hashing over the
 * healthy members. Every node that sees the same members computes the same owners in the same
 * order, so any node can tell where a tag lives without asking.
 *
 * <p>Membership comes from the {@code cluster.hosts} source and is refreshed every {@code ttl};
 * when the source fails the last known membership is kept and {@link #status()} says so. Health
 * is judged from call outcomes reported by callers ({@link #recordFailure}, {@link #recordSuccess})
 * and from active {@code GET /health} probes.
 *
 * <p>Implementations are thread-safe; lookups never block on I/O.
 */
public interface HashRing extends AutoCloseable {

  /** A ring of one: this node owns every key. For a node without a {@code cluster} section. */
  static HashRing single(HostPort self) {
    return new SingleNodeRing(self);
  }

  /**
   * This node as it appears in the member list (for example {@code 10.0.0.5:15004} when members
   * come from DNS), or the listen address when no member entry is this node.
   */
  HostPort self();

  /**
   * The first {@code max_replica} healthy members by rendezvous score for {@code key}, best first.
   * Fewer when fewer are healthy; all members, ignoring health, when none is healthy. Never empty.
   */
  List<HostPort> owners(String key);

  /**
   * The first {@code max_replica} members by rendezvous score whatever their health: who would own
   * {@code key} if every member were up. Lets callers tell "no other owner" from "other owners down".
   */
  List<HostPort> ownersIgnoringHealth(String key);

  /** Whether {@link #self()} is among {@link #owners(String) owners(key)}. */
  boolean isOwner(String key);

  /** Every current member, healthy or not, sorted by host then port. */
  List<HostPort> members();

  /** The members currently judged healthy, sorted by host then port. */
  List<HostPort> healthyMembers();

  /** Reports a failed call to {@code member}; {@code fails} failures in a row mark it unhealthy. */
  void recordFailure(HostPort member);

  /** Reports a successful call to {@code member}; {@code passes} in a row make it healthy again. */
  void recordSuccess(HostPort member);

  /** Where membership comes from and whether that source is currently failing. */
  RingStatus status();

  /**
   * Loads membership once on the calling thread (so the node does not start serving with an empty
   * ring), then refreshes it every {@code ttl} and probes members every {@code interval} on the
   * scheduler. Call once.
   */
  void start();

  /** Stops refreshing and probing and releases the membership source's client. */
  @Override
  void close();
}
