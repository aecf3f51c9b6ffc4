package io.buildindex.cluster;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.HostPort;
import io.buildindex.hashring.HashRing;
import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.Tag;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each write to the tag's other owners on the hash ring, as Kraken's DuplicatePut and
 * DuplicateReplicate do, and reads tags this node lacks from their owners.
 *
 * <p>Design: the calls go out in parallel and the client's request waits for them (bounded by the
 * HTTP client's timeouts), so by the time a client sees 200 the tag is on every reachable owner
 * and a single node's death loses nothing. The neighbors are taken in random order and the n-th
 * gets {@code n * stagger} as its delay: neighbors store the tag at once, and the delay only
 * defers their own deferred work (replication tasks), so that normally the primary replicates and
 * the neighbors' tasks find the remote up to date, while if the primary dies a neighbor delivers
 * after its delay. A failed call is logged with everything needed to redo it; only when every
 * neighbor fails is it counted ({@code duplicate_put_failures}, {@code duplicate_replicate_failures}),
 * as then the write lives on this node alone. The client's request succeeds either way.
 *
 * <p>A node that does not own a tag keeps no copy of it: a client's write to it is routed to an
 * owner ({@link #routePut}, {@link #routeDelete}), and its reads ask the owners first
 * ({@link #askOwners}). A copy kept here would never see the owners' later writes and deletes
 * (they fan out to owners only), nor would anti-entropy repair it (it runs between owners).
 * Thread-safe.
 */
public final class Neighbors {
  private static final Logger log = LoggerFactory.getLogger(Neighbors.class);

  /** The two staggers of {@code tagserver}. */
  public record Staggers(Duration put, Duration replicate) {}

  private final HashRing ring;
  private final NeighborClient client;
  private final Staggers staggers;
  private final ExecutorService executor;
  private final Random random;
  private final Counter putFailures;
  private final Counter replicateFailures;
  private final Counter deleteFailures;

  Neighbors(HashRing ring, NeighborClient client, Staggers staggers, ExecutorService executor, MetricRegistry metrics) {
    this.ring = ring;
    this.client = client;
    this.staggers = staggers;
    this.executor = executor;
    this.random = new Random();
    this.putFailures = metrics.counter("duplicate_put_failures");
    this.replicateFailures = metrics.counter("duplicate_replicate_failures");
    this.deleteFailures = metrics.counter("duplicate_delete_failures");
  }

  /** DuplicatePut to every other owner; returns how many acknowledged. */
  public int duplicatePut(Tag tag, Digest digest, Generation generation) {
    return fanOut(tag, digest, "DuplicatePut", staggers.put(), putFailures,
        (node, delay) -> client.duplicatePut(node, tag, digest, generation, delay));
  }

  /** DuplicateReplicate to every other owner; returns how many acknowledged. */
  public int duplicateReplicate(Tag tag, Digest digest, Generation generation, List<Digest> dependencies) {
    return fanOut(tag, digest, "DuplicateReplicate", staggers.replicate(), replicateFailures,
        (node, delay) -> client.duplicateReplicate(node, tag, digest, generation, dependencies, delay));
  }

  /** Sends a delete's tombstone to every other owner; returns how many acknowledged. */
  public int duplicateDelete(Tag tag, Generation generation) {
    return fanOut(tag, null, "DuplicateDelete", Duration.ZERO, deleteFailures,
        (node, delay) -> client.duplicateDelete(node, tag, generation));
  }

  /** The tag from the first owner (other than this node) that has it, newest generation if several answer. */
  public Optional<RemoteTag> readFromOwners(Tag tag) {
    return askOwners(tag).tag();
  }

  /** What the owners said of a tag: {@code answered} false when no owner (other than this node) could be asked. */
  public record OwnersRead(boolean answered, Optional<RemoteTag> tag) {}

  /** The tag's newest state among the owners (other than this node) that answer. */
  public OwnersRead askOwners(Tag tag) {
    Optional<RemoteTag> best = Optional.empty();
    boolean answered = false;
    for (HostPort owner : others(tag)) {
      try {
        Optional<RemoteTag> found = client.get(owner, tag);
        ring.recordSuccess(owner);
        answered = true;
        if (found.isPresent() && (best.isEmpty() || found.get().generation().isNewerThan(best.get().generation()))) {
          best = found;
        }
      } catch (IOException | RuntimeException e) {
        ring.recordFailure(owner);
        log.debug("read of {} from owner {} failed: {}", tag, owner, e.toString());
      }
    }
    return new OwnersRead(answered, best);
  }

  /**
   * A client's PUT of a tag this node does not own, sent to the first owner that answers (it
   * stores the write and duplicates it to the other owners); empty when no owner could be reached.
   * An owner's refusal (4xx) is an answer.
   */
  public Optional<RoutedWrite> routePut(Tag tag, Digest digest, @Nullable Generation generation, boolean replicate) {
    return route(tag, owner -> client.routePut(owner, tag, digest, generation, replicate));
  }

  /** As {@link #routePut}, for a client's DELETE. */
  public Optional<RoutedWrite> routeDelete(Tag tag, @Nullable Generation generation, boolean replicate) {
    return route(tag, owner -> client.routeDelete(owner, tag, generation, replicate));
  }

  @FunctionalInterface
  private interface Route {
    RoutedWrite send(HostPort owner) throws IOException;
  }

  private Optional<RoutedWrite> route(Tag tag, Route route) {
    for (HostPort owner : others(tag)) {
      try {
        RoutedWrite answer = route.send(owner);
        ring.recordSuccess(owner);
        return Optional.of(answer);
      } catch (IOException | RuntimeException e) {
        ring.recordFailure(owner);
        log.warn("routing a write of {} to owner {} failed: {}", tag, owner, e.toString());
      }
    }
    return Optional.empty();
  }

  /** Whether this node is among the tag's owners. */
  public boolean owns(Tag tag) {
    return ring.isOwner(tag.toString());
  }

  private List<HostPort> others(Tag tag) {
    List<HostPort> owners = new ArrayList<>(ring.owners(tag.toString()));
    owners.remove(ring.self());
    return owners;
  }

  @FunctionalInterface
  private interface Call {
    void send(HostPort node, Duration delay) throws IOException;
  }

  private int fanOut(Tag tag, @Nullable Digest digest, String what, Duration stagger, Counter allFailed, Call call) {
    List<HostPort> neighbors = others(tag);
    if (neighbors.isEmpty()) {
      // No healthy neighbor: if the tag has other owners at all, they are down and the write
      // lives here only. That is the failure the counters exist to show, so count it.
      List<HostPort> down = new ArrayList<>(ring.ownersIgnoringHealth(tag.toString()));
      down.remove(ring.self());
      if (!down.isEmpty()) {
        allFailed.inc();
        log.error("{} of {} -> {} skipped: every other owner {} is unhealthy; the write is on this node only",
            what, tag, digest, down);
      }
      return 0;
    }
    Collections.shuffle(neighbors, random);
    List<CompletableFuture<Boolean>> calls = new ArrayList<>(neighbors.size());
    for (int i = 0; i < neighbors.size(); i++) {
      HostPort node = neighbors.get(i);
      Duration delay = stagger.multipliedBy(i + 1L);
      calls.add(CompletableFuture.supplyAsync(() -> attempt(call, node, delay, tag, digest, what), executor));
    }
    int acked = (int) calls.stream().map(CompletableFuture::join).filter(ok -> ok).count();
    if (acked == 0) {
      allFailed.inc();
      log.error("{} of {} -> {} failed on every neighbor {}: the write is on this node only", what, tag, digest, neighbors);
    }
    return acked;
  }

  private boolean attempt(Call call, HostPort node, Duration delay, Tag tag, @Nullable Digest digest, String what) {
    try {
      call.send(node, delay);
      ring.recordSuccess(node);
      return true;
    } catch (IOException | RuntimeException e) {
      ring.recordFailure(node);
      log.warn("{} of {} -> {} to neighbor {} (delay {}) failed: {}", what, tag, digest, node, delay, e.toString());
      return false;
    }
  }
}
