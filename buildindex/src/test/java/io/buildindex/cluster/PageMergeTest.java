package io.buildindex.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.buildindex.tagreplication.wire.MemberList;
import io.buildindex.tagreplication.wire.MemberList.Entry;
import io.buildindex.tagstore.Page;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The k-way merge of members' record pages, with members in memory: paging, dedupe, newest wins, tombstones, failures. */
final class PageMergeTest {
  private final PageMerge merge = new PageMerge(Runnable::run, Duration.ofSeconds(30));

  @Test
  void paging_everyLiveKeyOnceInOrder_eachRequestAtMostLimit() {
    List<FakeMember> members = IntStream.range(0, 5).mapToObj(i -> new FakeMember("m" + i)).toList();
    TreeSet<String> expected = new TreeSet<>();
    for (int t = 0; t < 250; t++) {
      String key = "scale/app:v" + t;
      expected.add(key);
      members.get(t % 5).live(key, 10);
      members.get((t + 1) % 5).live(key, 10); // two owners per tag, as with max_replica 2
    }
    members.get(2).live("other/app:v1", 1); // outside the prefix

    List<String> listed = pageThrough(members, List.of(), 1, "scale/app", 7);

    assertThat(listed).containsExactlyElementsOf(expected);
    members.forEach(m -> assertThat(m.largestLimitAsked).as(m.name()).isLessThanOrEqualTo(7));
  }

  @Test
  void firstAsk_theMembersShareWithAMargin_neverAboveTheLimit() {
    assertThat(PageMerge.firstAsk(1000, 2, 5)).isEqualTo(400 + 100 + 8);
    assertThat(PageMerge.firstAsk(7, 2, 5)).isEqualTo(7);
    assertThat(PageMerge.firstAsk(1000, 3, 3)).as("every member holds every key").isEqualTo(1000);
    assertThat(PageMerge.firstAsk(10_000, 1, 1)).isEqualTo(10_000);
  }

  @Test
  void aMemberHoldingMoreThanItsShare_isAskedAgainForTheLimit() {
    FakeMember full = new FakeMember("full");
    List<FakeMember> members = new ArrayList<>(List.of(full));
    for (int i = 0; i < 4; i++) {
      members.add(new FakeMember("empty" + i));
    }
    for (int i = 0; i < 100; i++) {
      full.live("r:" + (1000 + i), 1);
    }

    Page page = merge.merge(List.copyOf(members), List.of(), 1, "r:", 50, null);

    assertThat(page.items()).hasSize(50).startsWith("r:1000").endsWith("r:1049");
    assertThat(page.nextAfter()).isEqualTo("r:1049");
    assertThat(full.requests).as("a first request of its share, then the limit").isEqualTo(2);
    assertThat(full.largestLimitAsked).isEqualTo(50);
  }

  @Test
  void newestGenerationDecidesAKey_anOwnersTombstoneHidesAStaleLiveCopy() {
    FakeMember owner = new FakeMember("owner").tombstone("team/app:deleted", 20).live("team/app:rewritten", 30);
    FakeMember stale = new FakeMember("stale-non-owner").live("team/app:deleted", 10).tombstone("team/app:rewritten", 25);

    Page page = merge.merge(List.of(owner, stale), List.of(), 0, "team/app", 10, null);

    assertThat(page.items()).containsExactly("team/app:rewritten");
    assertThat(page.nextAfter()).isNull();
  }

  @Test
  void sameKeyOnSeveralMembers_listedOnce() {
    FakeMember a = new FakeMember("a").live("r:1", 5).live("r:2", 5);
    FakeMember b = new FakeMember("b").live("r:1", 7).live("r:3", 5);
    FakeMember c = new FakeMember("c").live("r:1", 5).live("r:2", 6);

    assertThat(merge.merge(List.of(a, b, c), List.of(), 0, "r:", 10, null).items()).containsExactly("r:1", "r:2", "r:3");
  }

  @Test
  void equalGenerations_theTombstoneWins() {
    FakeMember a = new FakeMember("a").live("r:1", 5).live("r:2", 5);
    FakeMember b = new FakeMember("b").tombstone("r:1", 5);

    assertThat(merge.merge(List.of(a, b), List.of(), 0, "r:", 10, null).items()).containsExactly("r:2");
    assertThat(merge.merge(List.of(b, a), List.of(), 0, "r:", 10, null).items()).containsExactly("r:2");
  }

  @Test
  void nextAfter_onlyWhenAnotherLiveKeyFollows() {
    FakeMember a = new FakeMember("a").live("r:1", 1).live("r:2", 1).tombstone("r:3", 1).tombstone("r:4", 1);

    Page exact = merge.merge(List.of(a), List.of(), 0, "r:", 2, null);
    assertThat(exact.items()).containsExactly("r:1", "r:2");
    assertThat(exact.nextAfter()).as("only tombstones follow").isNull();

    a.live("r:5", 1);
    Page more = merge.merge(List.of(a), List.of(), 0, "r:", 2, null);
    assertThat(more.nextAfter()).isEqualTo("r:2");
    assertThat(merge.merge(List.of(a), List.of(), 0, "r:", 2, "r:2").items()).containsExactly("r:5");
  }

  @Test
  void pagesOfTombstones_areReadThroughUntilLiveKeysFill() {
    FakeMember a = new FakeMember("a");
    FakeMember b = new FakeMember("b");
    for (int i = 0; i < 50; i++) {
      a.tombstone("r:t" + (100 + i), 2);
    }
    b.live("r:u1", 1).live("r:u2", 1);

    Page page = merge.merge(List.of(a, b), List.of(), 0, "r:", 3, null);

    assertThat(page.items()).containsExactly("r:u1", "r:u2");
    assertThat(a.requests).as("50 tombstones in pages of 3").isGreaterThanOrEqualTo(17);
    assertThat(a.largestLimitAsked).isEqualTo(3);
  }

  @Test
  void unreachableMembersWithinTolerance_theListIsStillComplete() {
    FakeMember a = new FakeMember("a").live("r:1", 1).live("r:2", 1);
    FakeMember b = new FakeMember("b").live("r:2", 1).live("r:3", 1);
    FakeMember dead = new FakeMember("dead").failing();

    Page page = merge.merge(List.of(a, b, dead), List.of(), 1, "r:", 10, null);

    assertThat(page.items()).containsExactly("r:1", "r:2", "r:3");
  }

  @Test
  void moreUnreachableThanTolerated_failsNamingThem() {
    FakeMember a = new FakeMember("a").live("r:1", 1);
    FakeMember dead = new FakeMember("10.0.0.2:15004").failing();

    assertThatThrownBy(() -> merge.merge(List.of(a, dead), List.of("10.0.0.1:15004"), 1, "r:", 10, null))
        .isInstanceOfSatisfying(ListingIncompleteException.class,
            e -> assertThat(e.unreachable()).containsExactly("10.0.0.1:15004", "10.0.0.2:15004"))
        .hasMessageContaining("10.0.0.1:15004, 10.0.0.2:15004");
    assertThatThrownBy(() -> merge.merge(List.of(a), List.of("x", "y"), 1, "r:", 10, null))
        .as("known down before asking anyone").isInstanceOf(ListingIncompleteException.class);
  }

  @Test
  void memberFailingOnALaterPage_countsAsUnreachable() {
    FakeMember a = new FakeMember("a");
    FakeMember b = new FakeMember("b");
    for (int i = 0; i < 20; i++) {
      a.live("r:" + (100 + i), 1);
      b.live("r:" + (100 + i), 1);
    }
    b.failAfter(1);

    assertThat(merge.merge(List.of(a, b), List.of(), 1, "r:", 15, null).items()).hasSize(15);
    b.failAfter(1);
    FakeMember c = new FakeMember("c").failAfter(0);
    assertThatThrownBy(() -> merge.merge(List.of(a, b, c), List.of(), 1, "r:", 15, null))
        .isInstanceOf(ListingIncompleteException.class);
  }

  @Test
  void memberThatDoesNotAnswerInTime_isUnreachable() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    FakeMember hung = new FakeMember("hung") {
      @Override
      public MemberList.Records fetch(String prefix, @Nullable String after, int limit) throws IOException {
        try {
          never.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new IOException("interrupted");
      }
    };
    FakeMember a = new FakeMember("a").live("r:1", 1);
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      PageMerge timed = new PageMerge(executor, Duration.ofMillis(200));

      assertThat(timed.merge(List.of(a, hung), List.of(), 1, "r:", 10, null).items()).containsExactly("r:1");
      assertThatThrownBy(() -> timed.merge(List.of(a, hung), List.of(), 0, "r:", 10, null))
          .isInstanceOfSatisfying(ListingIncompleteException.class, e -> assertThat(e.unreachable()).containsExactly("hung"));
      never.countDown();
    }
  }

  /** Follows {@code nextAfter} from the start until the last page; fails on a key listed twice. */
  private List<String> pageThrough(List<FakeMember> members, List<String> down, int tolerated, String prefix, int limit) {
    List<String> all = new ArrayList<>();
    String after = null;
    for (int pages = 0; pages < 10_000; pages++) {
      Page page = merge.merge(List.copyOf(members), down, tolerated, prefix, limit, after);
      assertThat(page.items().size()).isLessThanOrEqualTo(limit);
      all.addAll(page.items());
      if (page.nextAfter() == null) {
        assertThat(all).doesNotHaveDuplicates();
        return all;
      }
      assertThat(page.items()).hasSize(limit);
      after = page.nextAfter();
    }
    throw new AssertionError("no last page");
  }

  /** A member holding records in memory, counting requests; it can fail every request, or those after the first n. */
  static class FakeMember implements PageMerge.Member {
    private final String name;
    private final NavigableMap<String, Entry> records = new TreeMap<>();
    private int failAfter = Integer.MAX_VALUE;
    int requests;
    int largestLimitAsked;

    FakeMember(String name) {
      this.name = name;
    }

    FakeMember live(String key, long generation) {
      records.put(key, new Entry(key, generation, false));
      return this;
    }

    FakeMember tombstone(String key, long generation) {
      records.put(key, new Entry(key, generation, true));
      return this;
    }

    FakeMember failing() {
      return failAfter(0);
    }

    /** Answers {@code n} more requests, then fails every one. */
    FakeMember failAfter(int n) {
      failAfter = requests + n;
      return this;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public MemberList.Records fetch(String prefix, @Nullable String after, int limit) throws IOException {
      largestLimitAsked = Math.max(largestLimitAsked, limit);
      if (requests++ >= failAfter) {
        throw new IOException(name + " is down");
      }
      List<Entry> page = new ArrayList<>();
      NavigableMap<String, Entry> range = after == null ? records : records.tailMap(after, false);
      for (Map.Entry<String, Entry> e : range.entrySet()) {
        if (e.getKey().compareTo(prefix) < 0) {
          continue;
        }
        if (!e.getKey().startsWith(prefix)) {
          break;
        }
        if (page.size() == limit) {
          return new MemberList.Records(page, true);
        }
        page.add(e.getValue());
      }
      return new MemberList.Records(page, false);
    }
  }
}
