package io.buildindex.server;

import io.buildindex.cluster.Neighbors;
import io.buildindex.tagreplication.DependencyResolver;
import io.buildindex.tagreplication.Replication;
import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.HybridLogicalClock;
import io.buildindex.tagstore.PutResult;
import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagRecord;
import io.buildindex.tagstore.TagStore;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The write path of a tag: choose its generation, resolve its dependencies, store it durably
 * together with its replication tasks, then duplicate it to the tag's other owners.
 *
 * <p>A write without a generation (a plain Kraken client) is a new write and takes the next one
 * from this node's clock; a write carrying one (from a neighbor or another datacenter) keeps it,
 * and the clock moves past it so this node's later writes win over it, unless it is further ahead
 * of this node's clock than {@code tagserver.max_clock_skew} (400: it would pin the tag). Thread-safe.
 */
final class TagWrites {
  /**
   * The collaborators of the write path; {@code maxClockSkew}: how far ahead of this node's clock
   * a caller's generation may be.
   */
  record Parts(TagStore store, HybridLogicalClock clock, Duration maxClockSkew, DependencyResolver dependencies,
      Replication replication, Neighbors neighbors) {}

  private final Parts p;

  TagWrites(Parts parts) {
    this.p = parts;
  }

  /** A client's PUT: store (with tasks when {@code replicate}), then DuplicatePut/DuplicateReplicate. */
  PutResult put(Tag tag, Digest digest, @Nullable Generation generation, boolean replicate) {
    List<Digest> dependencies = p.dependencies().resolve(tag, digest);
    PutResult result = p.store().put(tag, digest, generationFor(generation), p.replication().onTagWrite(replicate, dependencies));
    if (result.outcome() != PutResult.Outcome.SUPERSEDED) {
      Generation stored = result.current().generation();
      p.neighbors().duplicatePut(tag, digest, stored);
      if (replicate) {
        p.neighbors().duplicateReplicate(tag, digest, stored, dependencies);
      }
    }
    return result;
  }

  /** A neighbor's DuplicatePut: store only; with no write-back backend the delay has nothing to defer. */
  PutResult putFromNeighbor(Tag tag, Digest digest, @Nullable Generation generation) {
    return p.store().put(tag, digest, generationFor(generation));
  }

  /**
   * A neighbor's DuplicateReplicate: store, with this node's tasks first due after {@code delay},
   * in one transaction (a crash between the two would keep the tag and lose the backup tasks).
   */
  PutResult replicateFromNeighbor(Tag tag, Digest digest, @Nullable Generation generation, List<Digest> dependencies,
      Duration delay) {
    return p.store().put(tag, digest, generationFor(generation), p.replication().onTagWrite(dependencies, delay));
  }

  /** {@code POST /remotes/tags/{tag}}: replicate the tag's current state now, and have the neighbors back it up. */
  int replicateExisting(TagRecord current) {
    Digest digest = current.live().orElseThrow();
    List<Digest> dependencies = p.dependencies().resolve(current.tag(), digest);
    int tasks = p.replication().enqueue(current, dependencies, Duration.ZERO);
    p.neighbors().duplicateReplicate(current.tag(), digest, current.generation(), dependencies);
    return tasks;
  }

  /**
   * Stores a tombstone (replicated to matching remotes when {@code replicate}) and, unless it came
   * from a neighbor, sends it to the other owners.
   */
  PutResult delete(Tag tag, @Nullable Generation generation, boolean replicate, boolean fromNeighbor) {
    PutResult result = p.store().delete(tag, generationFor(generation), p.replication().onTagDelete(replicate));
    if (!fromNeighbor && result.outcome() != PutResult.Outcome.SUPERSEDED) {
      p.neighbors().duplicateDelete(tag, result.current().generation());
    }
    return result;
  }

  private Generation generationFor(@Nullable Generation given) {
    if (given == null) {
      return p.clock().next();
    }
    return p.clock().observeAtMost(given, p.maxClockSkew());
  }
}
