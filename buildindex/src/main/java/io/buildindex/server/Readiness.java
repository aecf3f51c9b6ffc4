package io.buildindex.server;

import io.buildindex.database.StoreUnavailableException;
import io.buildindex.hashring.HashRing;
import io.buildindex.hashring.RingStatus;
import io.buildindex.tagreplication.Replication;
import io.buildindex.tagstore.TagStore;

/**
 * Whether this node can serve: its store must answer and its replication engine run (else 503
 * with the reason). A membership
 * source that is failing (Consul unreachable) does not make the node unready, since it keeps
 * serving with the last known membership, but the answer says so.
 */
final class Readiness {
  private final TagStore store;
  private final HashRing ring;
  private final Replication replication;

  Readiness(TagStore store, HashRing ring, Replication replication) {
    this.store = store;
    this.ring = ring;
    this.replication = replication;
  }

  /** The body of a ready answer; throws {@link HttpProblem} 503 when not ready. */
  String check() {
    try {
      store.check();
    } catch (StoreUnavailableException e) {
      throw new HttpProblem(503, "store cannot serve: " + e.getMessage());
    }
    // Not ready: writes would be accepted and queued, but nothing would ever leave this node.
    replication.failure().ifPresent(why -> {
      throw new HttpProblem(503, "replication has stopped: " + why);
    });
    RingStatus status = ring.status();
    return status.error() == null ? "OK\n" : "OK\nwarning: membership (" + status.source() + "): " + status.error() + "\n";
  }
}
