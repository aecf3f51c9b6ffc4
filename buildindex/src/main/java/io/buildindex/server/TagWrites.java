package io.buildindex.server;

import io.buildindex.cluster.Neighbors;
import io.buildindex.cluster.RoutedWrite;
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
import java.time.Instant;
import java.util.Arrays;
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
  record Collaborators(TagStore store, HybridLogicalClock clock, Duration maxClockSkew, DependencyResolver dependencies,
      Replication replication, Neighbors neighbors) {}

  private final Collaborators p;

  TagWrites(Collaborators collaborators) {
    this.p = collaborators;
  }

  /**
   * A client's PUT: on an owner of the tag, {@link #putHere}; on any other node, the write is
   * routed to an owner, whose answer is this one (503 when no owner can be reached).
   */
  PutResult put(Tag tag, Digest digest, @Nullable Generation generation, boolean replicate) {
    if (!p.neighbors().owns(tag)) {
      RoutedWrite answer = p.neighbors().routePut(tag, digest, generation, replicate).orElseThrow(() -> noOwner(tag));
      return routed(answer, tag, digest);
    }
    return putHere(tag, digest, generation, replicate);
  }

  /** A client's PUT stored here (with tasks when {@code replicate}), then DuplicatePut/DuplicateReplicate. */
  PutResult putHere(Tag tag, Digest digest, @Nullable Generation generation, boolean replicate) {
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
   * A client's DELETE: on an owner, or from a neighbor, {@link #deleteHere}; on any other node,
   * routed to an owner as {@link #put} is (its 404 for an unknown tag included).
   */
  PutResult delete(Tag tag, @Nullable Generation generation, boolean replicate, boolean fromNeighbor) {
    if (!fromNeighbor && !p.neighbors().owns(tag)) {
      RoutedWrite answer = p.neighbors().routeDelete(tag, generation, replicate).orElseThrow(() -> noOwner(tag));
      return routed(answer, tag, null);
    }
    return deleteHere(tag, generation, replicate, fromNeighbor);
  }

  /**
   * Stores a tombstone (replicated to matching remotes when {@code replicate}) and, unless it came
   * from a neighbor, sends it to the other owners.
   */
  PutResult deleteHere(Tag tag, @Nullable Generation generation, boolean replicate, boolean fromNeighbor) {
    PutResult result = p.store().delete(tag, generationFor(generation), p.replication().onTagDelete(replicate));
    if (!fromNeighbor && result.outcome() != PutResult.Outcome.SUPERSEDED) {
      p.neighbors().duplicateDelete(tag, result.current().generation());
    }
    return result;
  }

  /** The owner's answer as this node's: its outcome and generation, or its refusal with its status. */
  private static PutResult routed(RoutedWrite answer, Tag tag, @Nullable Digest digest) {
    if (!answer.successful()) {
      throw new HttpProblem(answer.status(), message(answer));
    }
    PutResult.Outcome outcome = Arrays.stream(PutResult.Outcome.values())
        .filter(o -> o.name().equalsIgnoreCase(String.valueOf(answer.outcome()))).findFirst().orElse(null);
    if (outcome == null || answer.generation() == null) {
      throw new HttpProblem(502, "the owner answered " + answer.status() + " without a known outcome and generation");
    }
    return new PutResult(outcome, new TagRecord(tag, digest, answer.generation(), Instant.now()));
  }

  private static String message(RoutedWrite answer) {
    try {
      return Json.MAPPER.readTree(answer.body()).path("message").asText("owner answered " + answer.status());
    } catch (java.io.IOException | RuntimeException e) {
      return "owner answered " + answer.status();
    }
  }

  private static HttpProblem noOwner(Tag tag) {
    return new HttpProblem(503, "this node does not own " + tag + " and none of its owners could be reached");
  }

  private Generation generationFor(@Nullable Generation given) {
    if (given == null) {
      return p.clock().next();
    }
    return p.clock().observeAtMost(given, p.maxClockSkew());
  }
}
