package io.buildindex.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.TagStoreConfig;
import io.buildindex.database.Databases;
import io.buildindex.database.LocalDb;
import io.buildindex.tagreplication.wire.MemberList;
import io.buildindex.tagreplication.wire.MemberList.Entry;
import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.Page;
import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagStore;
import io.buildindex.tagstore.TagStores;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A member's records in a key range, on a real SQLite store; and the same store merged as one member. */
final class LocalRecordsTest {
  private static final Digest DIGEST = Digest.parse("sha256:" + "ab".repeat(32));

  @TempDir Path dir;
  private LocalDb db;
  private TagStore store;

  @BeforeEach
  void open() {
    db = Databases.sqlite(dir.resolve("index.db"), new MetricRegistry());
    store = TagStores.create(db, TagStoreConfig.defaults(), Clock.systemUTC(), new MetricRegistry());
    put("a/b:1", 11);
    put("a/b:2", 12);
    store.delete(Tag.parse("a/b:3"), new Generation(13), TagStore.InTransaction.NONE);
    put("a/bc:1", 14);
    put("a/c:1", 15);
    put("a/a:9", 16);
  }

  @AfterEach
  void close() {
    store.close();
    db.close();
  }

  private void put(String tag, long generation) {
    store.put(Tag.parse(tag), DIGEST, new Generation(generation));
  }

  @Test
  void page_theRangeWithTombstonesAndGenerations_endingAtThePrefix() {
    MemberList.Records page = LocalRecords.page(store, "a/b:", null, 10);

    assertThat(page.records()).containsExactly(new Entry("a/b:1", 11, false), new Entry("a/b:2", 12, false),
        new Entry("a/b:3", 13, true));
    assertThat(page.more()).isFalse();
  }

  @Test
  void page_aPrefixThatIsAWholeKey_includesThatKey() {
    assertThat(LocalRecords.page(store, "a/b:2", null, 10).records()).extracting(Entry::tag).containsExactly("a/b:2");
    assertThat(LocalRecords.page(store, "", null, 2).records()).extracting(Entry::tag).containsExactly("a/a:9", "a/b:1");
  }

  @Test
  void page_afterAKey_andMoreWhileTheLimitIsReached() {
    MemberList.Records first = LocalRecords.page(store, "a/b", null, 2);
    assertThat(first.records()).extracting(Entry::tag).containsExactly("a/b:1", "a/b:2");
    assertThat(first.more()).isTrue();

    MemberList.Records second = LocalRecords.page(store, "a/b", "a/b:2", 2);
    assertThat(second.records()).extracting(Entry::tag).containsExactly("a/b:3", "a/bc:1");

    assertThat(LocalRecords.page(store, "a/b", "a/bc:1", 2).records()).isEmpty();
  }

  @Test
  void below_sortsBetweenEveryKeyOfThePrefixAndEverySmallerKey() {
    String below = LocalRecords.below("a/b");
    assertThat(below).isNotNull();
    assertThat(below.compareTo("a/b")).isNegative();
    assertThat(below.compareTo("a/az:zzzz")).isPositive();
    assertThat(below.compareTo("a/a")).isPositive();
    assertThat(LocalRecords.below("")).isNull();
  }

  @Test
  void oneMemberMerged_isTheStoresOwnListing() {
    PageMerge merge = new PageMerge(Runnable::run, java.time.Duration.ofSeconds(5));
    PageMerge.Member self = new PageMerge.Member() {
      @Override
      public String name() {
        return "self";
      }

      @Override
      public MemberList.Records fetch(String prefix, String after, int limit) {
        return LocalRecords.page(store, prefix, after, limit);
      }
    };
    for (String prefix : List.of("", "a/", "a/b", "a/b:", "zzz")) {
      for (int limit : List.of(1, 2, 3, 10)) {
        String after = null;
        do {
          Page merged = merge.merge(List.of(self), List.of(), 0, prefix, limit, after);
          Page local = store.list(prefix, limit, after);
          assertThat(merged).as(prefix + " limit " + limit + " after " + after).isEqualTo(local);
          after = local.nextAfter();
        } while (after != null);
      }
    }
  }
}
