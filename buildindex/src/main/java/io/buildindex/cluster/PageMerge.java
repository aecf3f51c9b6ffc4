package io.buildindex.cluster;

import io.buildindex.tagreplication.wire.MemberList;
import io.buildindex.tagstore.Page;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One page of a listing merged from the pages of several members: a k-way merge of sorted record
 * pages that lists each key once, by the member record with the newest generation, and leaves out
 * keys whose newest record is a tombstone.
 *
 * <p>Design: each member is a cursor over its records in the range, holding at most one page of
 * {@code limit} records. The smallest head among the cursors is the next key only once every
 * cursor that may hold more has a head (an empty one is refilled first, all of them in parallel),
 * so a key is decided with every answering member's record of it in view. That is what keeps a
 * deleted tag deleted: an owner's tombstone, newer than a stale live copy elsewhere (a non-owner's
 * copy left by hand-off), wins the key, and the tag is not listed. Equal generations are the same
 * write; should a tombstone and a live record ever share one, the tombstone wins, as deleting is
 * the safe side. The page asks each member for at most {@code limit} records per request and
 * holds at most members x limit of them, so no node loads a whole listing. The first request asks
 * less: a member holds about owners/members of the keys (max_replica / members in a ring), so
 * that share of the page plus a quarter (and a few) almost always covers it, halving what a 5-node
 * ring reads and sends; a member that runs dry before the page is decided is asked again for
 * {@code limit}. A member that fails or
 * does not answer within the timeout is unreachable: its cursor ends (records it already sent
 * still count), and once more than {@code tolerated} members are unreachable the page fails with
 * {@link ListingIncompleteException} rather than be partial. Thread-safe (no state between calls).
 */
final class PageMerge {
  /** One member's records, a page at a time. */
  interface Member {
    /** {@code host:port}, for the 503's message. */
    String name();

    MemberList.Records fetch(String prefix, @Nullable String after, int limit) throws IOException;
  }

  private final Executor executor;
  private final Duration timeout;

  PageMerge(Executor executor, Duration timeout) {
    this.executor = executor;
    this.timeout = timeout;
  }

  /**
   * Up to {@code limit} live keys of {@code prefix} after {@code after}, merged from
   * {@code members}; {@code down} are members known unreachable (not asked), and the page fails
   * once more than {@code tolerated} members, these included, are unreachable.
   */
  Page merge(List<Member> members, List<String> down, int tolerated, String prefix, int limit, @Nullable String after) {
    Run run = new Run(members, down, tolerated, prefix, limit, after);
    return run.page();
  }

  private final class Run {
    private final List<Cursor> cursors = new ArrayList<>();
    private final List<String> unreachable;
    private final int tolerated;
    private final String prefix;
    private final int limit;
    /** What a member is asked for first: its expected share of the page, with a margin. */
    private final int firstAsk;

    Run(List<Member> members, List<String> down, int tolerated, String prefix, int limit, @Nullable String after) {
      if (limit < 1) {
        throw new IllegalArgumentException("limit < 1: " + limit);
      }
      members.forEach(m -> cursors.add(new Cursor(m, after)));
      this.unreachable = new ArrayList<>(down);
      this.tolerated = tolerated;
      this.prefix = prefix;
      this.limit = limit;
      this.firstAsk = firstAsk(limit, tolerated + 1, members.size() + down.size());
      checkComplete();
    }

    Page page() {
      List<String> keys = new ArrayList<>(limit);
      while (true) {
        List<Cursor> dry = dry();
        if (!dry.isEmpty()) {
          refill(dry);
          continue;
        }
        MemberList.Entry next = pollSmallest();
        if (next == null) {
          return new Page(keys, null);
        }
        if (!next.deleted()) {
          if (keys.size() == limit) {
            return new Page(keys, keys.get(limit - 1)); // one more live key exists: there is a next page
          }
          keys.add(next.tag());
        }
      }
    }

    /** The cursors to refill before the next key can be decided; checked once per key, so without a stream. */
    private List<Cursor> dry() {
      List<Cursor> dry = List.of();
      for (Cursor c : cursors) {
        if (c.needsRefill()) {
          dry = dry.isEmpty() ? new ArrayList<>() : dry;
          dry.add(c);
        }
      }
      return dry;
    }

    /** The smallest key among the cursors' heads, taken from every cursor that has it, as its newest record. */
    private MemberList.@Nullable Entry pollSmallest() {
      String smallest = null;
      for (Cursor c : cursors) {
        MemberList.Entry head = c.buffer.peek();
        if (head != null && (smallest == null || head.tag().compareTo(smallest) < 0)) {
          smallest = head.tag();
        }
      }
      if (smallest == null) {
        return null;
      }
      MemberList.Entry best = null;
      for (Cursor c : cursors) {
        MemberList.Entry head = c.buffer.peek();
        if (head != null && head.tag().equals(smallest)) {
          c.buffer.poll();
          best = best == null ? head : newer(best, head);
        }
      }
      return best;
    }

    private void refill(List<Cursor> dry) {
      List<CompletableFuture<MemberList.Records>> calls = new ArrayList<>(dry.size());
      for (Cursor c : dry) {
        String from = c.last;
        int ask = c.asked ? limit : firstAsk;
        c.asked = true;
        calls.add(CompletableFuture.supplyAsync(() -> fetch(c.member, from, ask), executor)
            .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS));
      }
      for (int i = 0; i < dry.size(); i++) {
        Cursor c = dry.get(i);
        try {
          c.take(calls.get(i).join());
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
          c.more = false;
          unreachable.add(c.member.name());
        }
      }
      checkComplete();
    }

    private MemberList.Records fetch(Member member, @Nullable String from, int ask) {
      try {
        return member.fetch(prefix, from, ask);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void checkComplete() {
      if (unreachable.size() > tolerated) {
        throw new ListingIncompleteException(unreachable.stream().sorted().toList(), tolerated);
      }
    }
  }

  /** A member's expected share of a page of {@code limit} when each key is on {@code owners} of {@code members}, plus a margin; at most {@code limit}. */
  static int firstAsk(int limit, int owners, int members) {
    if (members <= owners) {
      return limit; // every member holds every key
    }
    long share = ((long) limit * owners + members - 1) / members;
    return (int) Math.min(limit, share + share / 4 + 8);
  }

  /** The record that decides a key: the newer generation; a tombstone on a tie. */
  static MemberList.Entry newer(MemberList.Entry a, MemberList.Entry b) {
    if (a.generation() != b.generation()) {
      return a.generation() > b.generation() ? a : b;
    }
    return a.deleted() ? a : b;
  }

  private static final class Cursor {
    final Member member;
    final ArrayDeque<MemberList.Entry> buffer = new ArrayDeque<>();
    @Nullable String last;
    boolean more = true;
    /** Whether the first request went out: later ones ask for the whole limit. */
    boolean asked;

    Cursor(Member member, @Nullable String after) {
      this.member = member;
      this.last = after;
    }

    boolean needsRefill() {
      return more && buffer.isEmpty();
    }

    void take(MemberList.Records page) {
      buffer.addAll(page.records());
      if (page.records().isEmpty()) {
        more = false;
        return;
      }
      last = page.records().get(page.records().size() - 1).tag();
      more = page.more();
    }
  }
}
