package io.buildindex.server;

import io.buildindex.hashring.HashRing;
import io.buildindex.hashring.RingStatus;
import io.buildindex.tagstore.StoreUnavailableException;
import io.buildindex.tagstore.TagStore;

/**
 * Whether this node can serve: its store must answer (else 503 with the reason). A membership
 * source that is failing (Consul unreachable) does not make the node unready, since it keeps
 * serving with the last known membership, but the answer says so.
 */
final class Readiness {
  private final TagStore store;
  private final HashRing ring;

  Readiness(TagStore store, HashRing ring) {
    this.store = store;
    this.ring = ring;
  }

  /** The body of a ready answer; throws {@link HttpProblem} 503 when not ready. */
  String check() {
    try {
      store.check();
    } catch (StoreUnavailableException e) {
      throw new HttpProblem(503, "store cannot serve: " + e.getMessage());
    }
    RingStatus status = ring.status();
    return status.error() == null ? "OK\n" : "OK\nwarning: membership (" + status.source() + "): " + status.error() + "\n";
  }
}
