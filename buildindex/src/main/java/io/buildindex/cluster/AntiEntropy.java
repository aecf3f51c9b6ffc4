package io.buildindex.cluster;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.buildindex.config.HostPort;
import io.buildindex.hashring.HashRing;
import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagRecord;
import io.buildindex.tagstore.TagStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repairs the tags two owners should both hold, so a node restored from an empty disk (or one
 * that missed writes while down) catches up without copying everything.
 *
 * <p>Design: the tags that nodes A and B both own are split into {@value #BUCKETS} buckets by a
 * hash of the tag name. Each side sums, per bucket, a 64-bit hash of (tag, digest or tombstone,
 * generation) over its records; the sum does not depend on order, so equal sets give equal
 * summaries. A pulls B's summary (computed by B for A), compares it with its own, and fetches only
 * the records of differing buckets, applying those with a newer generation (the store's
 * last-write-wins does the comparing). Each node pulls from every peer, so both sides converge.
 * Scanning is O(tags) per peer per round; at 1M tags that is about a second of one core.
 * Thread-safe; rounds are not run concurrently.
 */
public final class AntiEntropy {
  private static final Logger log = LoggerFactory.getLogger(AntiEntropy.class);
  /** Few enough for a small summary, many enough that one repaired tag fetches 1/256 of a share. */
  static final int BUCKETS = 256;
  private static final int SCAN_PAGE = 10_000;
  /** Largest summary a peer may answer: {@value #BUCKETS} numbers. */
  static final long MAX_SUMMARY_BYTES = 64 * 1024;
  /** Largest bucket a peer may answer: about 400,000 records, a bucket of 100M tags' share. */
  static final long MAX_BUCKET_BYTES = 64L * 1024 * 1024;
  private static final TypeReference<List<RecordJson>> RECORDS = new TypeReference<>() {};

  /** One record on the wire; digest null is a tombstone. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record RecordJson(String tag, @Nullable String digest, long generation) {}

  /** A peer's per-bucket sums. */
  public record Summary(List<Long> buckets) {}

  private final HashRing ring;
  private final TagStore store;
  private final NeighborClient client;
  private final ObjectMapper json;
  private final Counter repaired;
  private final Counter differingBuckets;
  private final Counter failedRounds;
  private final AtomicLong lastRoundMillis = new AtomicLong(-1);
  private final Counter handedOff;
  /** Records this node does not own are handed off up to this generation, for {@link #handOffMembers}. */
  private long handedOffUpTo;
  private List<HostPort> handOffMembers = List.of();

  AntiEntropy(HashRing ring, TagStore store, NeighborClient client, ObjectMapper json, MetricRegistry metrics) {
    this.ring = ring;
    this.store = store;
    this.client = client;
    this.json = json;
    this.repaired = metrics.counter("antientropy.repaired");
    this.differingBuckets = metrics.counter("antientropy.differing_buckets");
    this.failedRounds = metrics.counter("antientropy.failed_rounds");
    this.handedOff = metrics.counter("antientropy.handed_off");
    metrics.gauge("antientropy.last_round_millis", () -> lastRoundMillis::get);
  }

  /** Per-bucket sums of the records this node shares with {@code peer}. */
  public Summary summary(HostPort peer) {
    long[] sums = new long[BUCKETS];
    forShared(peer, r -> sums[bucket(r.tag())] += recordHash(r));
    List<Long> out = new ArrayList<>(BUCKETS);
    for (long s : sums) {
      out.add(s);
    }
    return new Summary(out);
  }

  /** The records this node shares with {@code peer} in bucket {@code index}. */
  public List<RecordJson> bucket(HostPort peer, int index) {
    if (index < 0 || index >= BUCKETS) {
      throw new IllegalArgumentException("bucket out of range: " + index);
    }
    List<RecordJson> out = new ArrayList<>();
    forShared(peer, r -> {
      if (bucket(r.tag()) == index) {
        out.add(new RecordJson(r.tag().toString(), r.digest() == null ? null : r.digest().toString(), r.generation().value()));
      }
    });
    return out;
  }

  /** One round: pull from every other healthy member. Returns how many records were repaired. */
  public synchronized int runOnce() {
    long start = System.nanoTime();
    int total = 0;
    for (HostPort peer : ring.healthyMembers()) {
      if (!peer.equals(ring.self())) {
        try {
          total += pullFrom(peer);
        } catch (IOException | RuntimeException e) {
          failedRounds.inc();
          log.warn("anti-entropy with {} failed: {}", peer, e.toString());
        }
      }
    }
    try {
      handOff();
    } catch (RuntimeException e) {
      failedRounds.inc();
      log.warn("anti-entropy hand-off failed: {}", e.toString());
    }
    lastRoundMillis.set((System.nanoTime() - start) / 1_000_000);
    if (total > 0) {
      log.info("anti-entropy repaired {} tags", total);
    }
    return total;
  }

  private int pullFrom(HostPort peer) throws IOException {
    Summary theirs = json.readValue(client.getBytes(peer, "/internal/antientropy/summary?peer=" + ring.self(), MAX_SUMMARY_BYTES), Summary.class);
    Summary mine = summary(peer);
    int fixed = 0;
    for (int i = 0; i < BUCKETS; i++) {
      if (!mine.buckets().get(i).equals(theirs.buckets().get(i))) {
        differingBuckets.inc();
        byte[] body = client.getBytes(peer, "/internal/antientropy/buckets/" + i + "?peer=" + ring.self(), MAX_BUCKET_BYTES);
        fixed += apply(json.readValue(body, RECORDS));
      }
    }
    return fixed;
  }

  private int apply(List<RecordJson> records) {
    int fixed = 0;
    for (RecordJson r : records) {
      Tag tag = Tag.parse(r.tag());
      Generation generation = new Generation(r.generation());
      Optional<TagRecord> local = store.record(tag);
      if (local.isPresent() && !generation.isNewerThan(local.get().generation())) {
        continue; // most records of a differing bucket are the same on both sides
      }
      if (r.digest() == null) {
        store.delete(tag, generation, TagStore.InTransaction.NONE);
      } else {
        store.put(tag, Digest.parse(r.digest()), generation);
      }
      fixed++;
    }
    repaired.inc(fixed);
    return fixed;
  }

  /*
   * Records this node holds but does not own (written here before non-owners routed writes, or
   * while it owned the tag before a membership change) are sent to their owners as neighbors'
   * writes: the owners' last-write-wins keeps whichever is newer, so nothing only this node knows
   * is lost, and owners never learn an older state. The pull above runs between owners only and
   * would never move them. Sent records are remembered by a generation mark (reset when the
   * membership changes), so a record is sent once, not every round.
   */
  private void handOff() {
    List<HostPort> members = ring.members();
    if (!members.equals(handOffMembers)) {
      handOffMembers = List.copyOf(members);
      handedOffUpTo = 0;
    }
    long mark = handedOffUpTo;
    long newest = mark;
    boolean allSent = true;
    String after = null;
    while (true) {
      List<TagRecord> page = store.scan(after, SCAN_PAGE);
      for (TagRecord r : page) {
        if (r.generation().value() > mark && !ring.isOwner(r.tag().toString())) {
          allSent &= handOff(r);
          newest = Math.max(newest, r.generation().value());
        }
      }
      if (page.size() < SCAN_PAGE) {
        break;
      }
      after = page.get(page.size() - 1).tag().toString();
    }
    if (allSent) {
      handedOffUpTo = newest;
    }
  }

  private boolean handOff(TagRecord r) {
    boolean sent = true;
    for (HostPort owner : ring.owners(r.tag().toString())) {
      try {
        if (r.digest() == null) {
          client.duplicateDelete(owner, r.tag(), r.generation());
        } else {
          client.duplicatePut(owner, r.tag(), r.digest(), r.generation(), java.time.Duration.ZERO);
        }
        ring.recordSuccess(owner);
        handedOff.inc();
      } catch (IOException | RuntimeException e) {
        ring.recordFailure(owner);
        sent = false;
        log.debug("hand-off of {} to owner {} failed: {}", r.tag(), owner, e.toString());
      }
    }
    return sent;
  }

  private void forShared(HostPort peer, Consumer<TagRecord> action) {
    String after = null;
    HostPort self = ring.self();
    while (true) {
      List<TagRecord> page = store.scan(after, SCAN_PAGE);
      for (TagRecord r : page) {
        List<HostPort> owners = ring.owners(r.tag().toString());
        if (owners.contains(peer) && owners.contains(self)) {
          action.accept(r);
        }
      }
      if (page.size() < SCAN_PAGE) {
        return;
      }
      after = page.get(page.size() - 1).tag().toString();
    }
  }

  static int bucket(Tag tag) {
    return Byte.toUnsignedInt(sha256(tag.toString())[0]);
  }

  private static long recordHash(TagRecord r) {
    String s = r.tag() + "\n" + (r.digest() == null ? "-" : r.digest()) + "\n" + r.generation().value();
    return ByteBuffer.wrap(sha256(s)).getLong(8);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
