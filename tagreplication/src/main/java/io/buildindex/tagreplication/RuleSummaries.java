package io.buildindex.tagreplication;

import io.buildindex.tagstore.InvalidInputException;
import io.buildindex.tagstore.TagRecord;
import io.buildindex.tagstore.TagStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * Order-independent summaries of the live tags of one node that a remote rule's regex matches,
 * by bucket: what a source and its remote compare to verify the remote holds what it should.
 * Both sides compute them, the remote for {@code GET /replication/verification/summary}. Stateless
 * apart from the store; thread-safe.
 *
 * <p>Design: the scheme of intra-datacenter anti-entropy ({@code cluster.AntiEntropy}) applied to
 * a rule's tag range: {@value #BUCKETS} buckets by the first byte of SHA-256 of the tag name, each
 * the sum of a 64-bit hash of (tag, digest, generation). Only live tags count: a tombstone on the
 * source and no record on the remote mean the same thing (the tag is absent), and a remote restored
 * from an empty disk has no tombstones. Equal sets give equal sums whatever their order; a source
 * then fetches only the entries of differing buckets. A scan is O(tags) of the node.
 */
public final class RuleSummaries {
  /** Few enough for a small summary, many enough that one missing tag fetches 1/256 of the range. */
  public static final int BUCKETS = 256;
  /** A rule is a regex from our own configuration; anything longer is not one. */
  static final int MAX_RULE_LENGTH = 1_000;
  private static final int SCAN_PAGE = 10_000;

  /** One live tag as it travels: name, digest and generation. */
  public record Entry(String tag, String digest, long generation) {}

  /** Per-bucket sums, {@value #BUCKETS} of them. */
  public record Summary(List<Long> buckets) {
    public Summary {
      buckets = List.copyOf(buckets);
      if (buckets.size() != BUCKETS) {
        throw new IllegalArgumentException("want " + BUCKETS + " buckets, got " + buckets.size());
      }
    }
  }

  private final TagStore store;

  public RuleSummaries(TagStore store) {
    this.store = store;
  }

  /** The sums of the live tags {@code rule} matches. Throws {@link InvalidInputException} for a bad regex. */
  public Summary summary(String rule) {
    long[] sums = new long[BUCKETS];
    forMatching(compile(rule), r -> sums[bucket(r.tag().toString())] += hash(r));
    List<Long> out = new ArrayList<>(BUCKETS);
    for (long s : sums) {
      out.add(s);
    }
    return new Summary(out);
  }

  /** The live tags {@code rule} matches whose bucket is in {@code buckets}, in key order. */
  public List<Entry> entries(String rule, Collection<Integer> buckets) {
    boolean[] wanted = new boolean[BUCKETS];
    for (int b : buckets) {
      if (b < 0 || b >= BUCKETS) {
        throw new InvalidInputException("buckets", "must be 0 to " + (BUCKETS - 1) + ", got " + b);
      }
      wanted[b] = true;
    }
    List<Entry> out = new ArrayList<>();
    forMatching(compile(rule), r -> {
      if (wanted[bucket(r.tag().toString())]) {
        out.add(new Entry(r.tag().toString(), r.digest().toString(), r.generation().value()));
      }
    });
    return out;
  }

  /** Runs {@code action} on every live tag {@code rule} matches, in key order. */
  void forEachLive(String rule, Consumer<TagRecord> action) {
    forMatching(compile(rule), action);
  }

  private void forMatching(Pattern rule, Consumer<TagRecord> action) {
    @Nullable String after = null;
    while (true) {
      List<TagRecord> page = store.scan(after, SCAN_PAGE);
      for (TagRecord r : page) {
        if (!r.deleted() && rule.matcher(r.tag().toString()).find()) {
          action.accept(r);
        }
      }
      if (page.size() < SCAN_PAGE) {
        return;
      }
      after = page.get(page.size() - 1).tag().toString();
    }
  }

  /** Searched in {@code repo:tag} as {@link RemoteRules} matches. */
  static Pattern compile(String rule) {
    if (rule.isEmpty() || rule.length() > MAX_RULE_LENGTH) {
      throw new InvalidInputException("rule", "want a regex of 1 to " + MAX_RULE_LENGTH + " characters");
    }
    try {
      return Pattern.compile(rule);
    } catch (PatternSyntaxException e) {
      throw new InvalidInputException("rule", "bad regex: " + e.getDescription());
    }
  }

  static int bucket(String tag) {
    return Byte.toUnsignedInt(sha256(tag)[0]);
  }

  static long hash(TagRecord r) {
    return hash(r.tag().toString(), String.valueOf(r.digest()), r.generation().value());
  }

  static long hash(String tag, String digest, long generation) {
    return ByteBuffer.wrap(sha256(tag + "\n" + digest + "\n" + generation)).getLong(8);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
