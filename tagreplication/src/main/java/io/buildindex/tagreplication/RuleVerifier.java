package io.buildindex.tagreplication;

import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagRecord;
import io.buildindex.tagstore.TagStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the tags of one remote rule that the remote lacks: compares bucket summaries, then the
 * entries of differing buckets only. Stateless apart from its collaborators; thread-safe.
 *
 * <p>Design: the remote is fine when it holds each live tag the rule matches at the source's
 * generation or a newer one (newest wins across datacenters, so a newer remote write is not a
 * fault), and holds no live tag the source deleted later. Extra tags the remote holds that the
 * source never had make a bucket differ but need nothing. Buckets are fetched
 * {@value #BUCKETS_PER_REQUEST} per request to bound the answer's size.
 */
final class RuleVerifier {
  /** Differing buckets whose entries one request fetches. */
  static final int BUCKETS_PER_REQUEST = 16;

  /** What comparing one rule found: how many tags were missing or older there, and which. */
  record Found(int bucketsCompared, int differingBuckets, long mismatches, long repaired, Set<Tag> mismatched) {
    Found {
      mismatched = Set.copyOf(mismatched);
    }
  }

  /** Takes the mismatches of a group of buckets (current records of this node); returns how many it repaired. */
  @FunctionalInterface
  interface Sink {
    long accept(List<TagRecord> mismatches) throws InterruptedException;
  }

  private final TagStore store;
  private final RuleSummaries summaries;
  private final OriginCheck origins;

  RuleVerifier(TagStore store, RuleSummaries summaries, OriginCheck origins) {
    this.store = store;
    this.summaries = summaries;
    this.origins = origins;
  }

  /** For image tags the remote holds: whether its origin still has each manifest, copying blobs again if not. */
  OriginCheck.Result checkOrigin(String rule, VerificationClient remote, Found found) throws InterruptedException {
    return origins.check(rule, remote, found.mismatched());
  }

  /**
   * Compares {@code rule}'s tags here and at {@code remote}, handing the mismatches to {@code sink}
   * a group of buckets at a time (so a remote that lost everything is not held in memory at once).
   */
  Found compare(String rule, VerificationClient remote, Sink sink) throws InterruptedException {
    List<Long> theirs = remote.summary(rule).buckets();
    List<Long> mine = summaries.summary(rule).buckets();
    List<Integer> differing = new ArrayList<>();
    for (int i = 0; i < RuleSummaries.BUCKETS; i++) {
      if (!mine.get(i).equals(theirs.get(i))) {
        differing.add(i);
      }
    }
    long mismatches = 0;
    long repaired = 0;
    Set<Tag> mismatched = new HashSet<>();
    for (int from = 0; from < differing.size(); from += BUCKETS_PER_REQUEST) {
      List<Integer> chunk = differing.subList(from, Math.min(differing.size(), from + BUCKETS_PER_REQUEST));
      List<TagRecord> found = compareEntries(summaries.entries(rule, chunk), remote.entries(rule, chunk));
      mismatches += found.size();
      found.forEach(r -> mismatched.add(r.tag()));
      repaired += sink.accept(found);
    }
    return new Found(RuleSummaries.BUCKETS, differing.size(), mismatches, repaired, mismatched);
  }

  private List<TagRecord> compareEntries(List<RuleSummaries.Entry> mine, List<RuleSummaries.Entry> theirs) {
    Map<String, RuleSummaries.Entry> remote = new HashMap<>();
    theirs.forEach(e -> remote.put(e.tag(), e));
    List<TagRecord> out = new ArrayList<>();
    for (RuleSummaries.Entry local : mine) {
      RuleSummaries.Entry there = remote.remove(local.tag());
      if (there == null || beats(local, there)) {
        current(local.tag()).ifPresent(out::add);
      }
    }
    // Live there, not here: only a delete of ours newer than their write needs replicating.
    for (RuleSummaries.Entry there : remote.values()) {
      current(there.tag()).filter(r -> r.deleted() && r.generation().value() > there.generation()).ifPresent(out::add);
    }
    return out;
  }

  /* Last-write-wins order of the tag store: generation, then digest text. */
  private static boolean beats(RuleSummaries.Entry local, RuleSummaries.Entry there) {
    int byGeneration = Long.compare(local.generation(), there.generation());
    return byGeneration > 0 || byGeneration == 0 && local.digest().compareTo(there.digest()) > 0;
  }

  /* Read again: a write since the scan replicates through its own task, and is what to send. */
  private Optional<TagRecord> current(String tag) {
    return store.record(Tag.parse(tag));
  }
}
