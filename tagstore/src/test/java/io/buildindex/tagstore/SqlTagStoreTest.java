package io.buildindex.tagstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.buildindex.database.StoreUnavailableException;
import io.buildindex.database.Dialect;
import io.buildindex.database.testing.DbFixture;
import io.buildindex.database.testing.SqliteFixture;
import io.buildindex.tagstore.PutResult.Outcome;
import io.buildindex.tagstore.TagStore.InTransaction;
import io.buildindex.testing.FakeClock;
import io.buildindex.testing.Poll;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tag store's contract, run on each {@link Dialect} by a subclass ({@link SqliteTagStoreTest},
 * {@link PostgresTagStoreTest}): the same outcomes, history, tombstones and listing order on both.
 */
abstract class SqlTagStoreTest {
  private static final Tag TAG = Tag.parse("team/app:v1");
  private static final Digest A = digest('a');
  private static final Digest B = digest('b');
  private static final Digest C = digest('c');

  private final Dialect dialect;
  @TempDir Path dir;
  private final FakeClock clock = new FakeClock();
  private DbFixture fixture;
  private SqlTagStore store;

  SqlTagStoreTest(Dialect dialect) {
    this.dialect = dialect;
  }

  @BeforeEach
  void setUp() {
    fixture = DbFixture.open(dialect, dir, SqliteFixture.TEST_MODULE);
    store = new SqlTagStore(fixture.db(), clock); // applies the tagstore migrations itself
  }

  @AfterEach
  void tearDown() {
    store.close();
    fixture.close();
  }

  @Test
  void newestGeneration_coversLiveTagsAndTombstones() {
    assertThat(store.newestGeneration()).isEqualTo(Generation.ZERO);
    store.put(TAG, A, gen(7));
    store.put(Tag.parse("repo:other"), A, gen(3));
    assertThat(store.newestGeneration()).isEqualTo(gen(7));
    store.delete(Tag.parse("repo:gone"), gen(9), TagStore.InTransaction.NONE);
    assertThat(store.newestGeneration()).isEqualTo(gen(9));
  }

  @Test
  void get_neverWritten_empty() {
    assertThat(store.get(TAG)).isEmpty();
    assertThat(store.record(TAG)).isEmpty();
    assertThat(store.history(TAG, 10)).isEmpty();
  }

  @Test
  void put_newTag_appliedAndReadable() {
    PutResult result = store.put(TAG, A, gen(1));

    TagRecord expected = new TagRecord(TAG, A, gen(1), clock.instant());
    assertThat(result).isEqualTo(new PutResult(Outcome.APPLIED, expected));
    assertThat(store.get(TAG)).contains(A);
    assertThat(store.record(TAG)).contains(expected);
    assertThat(store.history(TAG, 10)).containsExactly(new HistoryEntry(A, gen(1), clock.instant()));
  }

  @Test
  void put_newerGenerationOtherDigest_appliedAndHistoryNewestFirst() {
    Instant t1 = clock.instant();
    store.put(TAG, A, gen(1));
    clock.advanceMillis(1_000);
    Instant t2 = clock.instant();
    store.put(TAG, B, gen(2));
    clock.advanceMillis(1_000);
    Instant t3 = clock.instant();

    PutResult result = store.put(TAG, C, gen(3));

    assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
    assertThat(store.get(TAG)).contains(C);
    assertThat(store.history(TAG, 10)).containsExactly(
        new HistoryEntry(C, gen(3), t3), new HistoryEntry(B, gen(2), t2), new HistoryEntry(A, gen(1), t1));
    assertThat(store.history(TAG, 2)).extracting(HistoryEntry::digest).containsExactly(C, B);
  }

  @Test
  void history_isInAppliedOrder_generationBeforeDigest() {
    store.put(TAG, C, gen(1));
    store.put(TAG, A, gen(2));
    store.put(TAG, B, gen(2)); // same generation, greater digest: applied after A

    assertThat(store.history(TAG, 10)).extracting(HistoryEntry::digest).containsExactly(B, A, C);
    assertThat(store.history(TAG, 10)).extracting(HistoryEntry::generation).containsExactly(gen(2), gen(2), gen(1));
  }

  @Test
  void put_olderGeneration_supersededWithoutChangeOrHistory() {
    store.put(TAG, B, gen(5));
    TagRecord stored = store.record(TAG).orElseThrow();
    clock.advanceMillis(1_000);

    PutResult result = store.put(TAG, A, gen(4));

    assertThat(result).isEqualTo(new PutResult(Outcome.SUPERSEDED, stored));
    assertThat(store.record(TAG)).contains(stored);
    assertThat(store.history(TAG, 10)).extracting(HistoryEntry::digest).containsExactly(B);
  }

  @Test
  void put_sameGenerationSameDigest_unchanged() {
    store.put(TAG, A, gen(5));
    TagRecord stored = store.record(TAG).orElseThrow();
    clock.advanceMillis(1_000);

    PutResult result = store.put(TAG, A, gen(5));

    assertThat(result).isEqualTo(new PutResult(Outcome.UNCHANGED, stored));
    assertThat(store.record(TAG)).contains(stored);
    assertThat(store.history(TAG, 10)).hasSize(1);
  }

  @Test
  void put_newerGenerationSameDigest_unchangedButGenerationAdvances() {
    store.put(TAG, A, gen(5));

    PutResult result = store.put(TAG, A, gen(7));

    assertThat(result.outcome()).isEqualTo(Outcome.UNCHANGED);
    assertThat(result.current().generation()).isEqualTo(gen(7));
    assertThat(store.record(TAG).orElseThrow().generation()).isEqualTo(gen(7));
    assertThat(store.history(TAG, 10)).hasSize(1);
    assertThat(store.put(TAG, B, gen(6)).outcome()).isEqualTo(Outcome.SUPERSEDED);
  }

  @Test
  void put_equalGenerationOtherDigest_higherDigestWinsInEitherOrder() {
    Tag first = Tag.parse("repo:ab");
    Tag second = Tag.parse("repo:ba");

    store.put(first, A, gen(5));
    PutResult aThenB = store.put(first, B, gen(5));
    store.put(second, B, gen(5));
    PutResult bThenA = store.put(second, A, gen(5));

    assertThat(aThenB.outcome()).isEqualTo(Outcome.APPLIED);
    assertThat(bThenA.outcome()).isEqualTo(Outcome.SUPERSEDED);
    assertThat(store.get(first)).contains(B);
    assertThat(store.get(second)).contains(B);
  }

  @Test
  void delete_liveTag_storesTombstoneAndKeepsHistory() {
    store.put(TAG, A, gen(1));
    clock.advanceMillis(1_000);

    PutResult result = store.delete(TAG, gen(2), InTransaction.NONE);

    TagRecord tombstone = new TagRecord(TAG, null, gen(2), clock.instant());
    assertThat(result).isEqualTo(new PutResult(Outcome.APPLIED, tombstone));
    assertThat(store.get(TAG)).isEmpty();
    assertThat(store.record(TAG)).contains(tombstone);
    assertThat(tombstone.deleted()).isTrue();
    assertThat(tombstone.live()).isEmpty();
    assertThat(store.history(TAG, 10)).extracting(HistoryEntry::digest).containsExactly(A);
  }

  @Test
  void put_olderThanTombstone_superseded() {
    store.put(TAG, A, gen(1));
    store.delete(TAG, gen(5), InTransaction.NONE);

    PutResult result = store.put(TAG, B, gen(3));

    assertThat(result.outcome()).isEqualTo(Outcome.SUPERSEDED);
    assertThat(result.current().deleted()).isTrue();
    assertThat(store.get(TAG)).isEmpty();
    assertThat(store.history(TAG, 10)).extracting(HistoryEntry::digest).containsExactly(A);
  }

  @Test
  void put_newerThanTombstone_applies() {
    store.put(TAG, A, gen(1));
    store.delete(TAG, gen(5), InTransaction.NONE);

    PutResult result = store.put(TAG, B, gen(7));

    assertThat(result.outcome()).isEqualTo(Outcome.APPLIED);
    assertThat(store.get(TAG)).contains(B);
    assertThat(store.history(TAG, 10)).extracting(HistoryEntry::digest).containsExactly(B, A);
  }

  @Test
  void put_sameDigestNewerThanTombstone_applies() {
    store.put(TAG, A, gen(1));
    store.delete(TAG, gen(2), InTransaction.NONE);

    assertThat(store.put(TAG, A, gen(3)).outcome()).isEqualTo(Outcome.APPLIED);
    assertThat(store.get(TAG)).contains(A);
    assertThat(store.history(TAG, 10)).extracting(HistoryEntry::digest).containsExactly(A, A);
  }

  @Test
  void delete_neverWritten_storesTombstoneAsUnchanged() {
    PutResult result = store.delete(TAG, gen(5), InTransaction.NONE);

    assertThat(result.outcome()).isEqualTo(Outcome.UNCHANGED);
    assertThat(store.record(TAG)).contains(new TagRecord(TAG, null, gen(5), clock.instant()));
    assertThat(store.get(TAG)).isEmpty();
    assertThat(store.put(TAG, A, gen(4)).outcome())
        .as("the tombstone keeps an older replicated put out")
        .isEqualTo(Outcome.SUPERSEDED);
    assertThat(store.history(TAG, 10)).isEmpty();
  }

  @Test
  void delete_olderThanLiveTag_superseded() {
    store.put(TAG, A, gen(5));

    PutResult result = store.delete(TAG, gen(4), InTransaction.NONE);

    assertThat(result.outcome()).isEqualTo(Outcome.SUPERSEDED);
    assertThat(store.get(TAG)).contains(A);
  }

  @Test
  void delete_equalGenerationAsPut_putWinsInEitherOrder() {
    Tag putFirst = Tag.parse("repo:put-first");
    Tag deleteFirst = Tag.parse("repo:delete-first");

    store.put(putFirst, A, gen(5));
    store.delete(putFirst, gen(5), InTransaction.NONE);
    store.delete(deleteFirst, gen(5), InTransaction.NONE);
    store.put(deleteFirst, A, gen(5));

    assertThat(store.get(putFirst)).contains(A);
    assertThat(store.get(deleteFirst)).contains(A);
  }

  /**
   * The writes of one group commit (queued behind a held write, then released together) end as
   * they do one by one, in queue order: new tags (on PostgreSQL inserted together, in a bulk step),
   * a new tag written twice, a new tag's tombstone then its put, an older write after a newer one, an
   * existing tag; when one write's hook fails, that write alone fails and the others stand. (On
   * PostgreSQL the writes of a failed batch then run alone on their callers' threads, concurrently,
   * as concurrent requests do: in no set order, so only what every order gives is checked there.)
   */
  @ParameterizedTest(name = "a hook fails: {0}")
  @ValueSource(booleans = {false, true})
  void writesOfOneGroupCommit_endAsTheyDoOneByOne(boolean hookFails) throws Exception {
    Tag n1 = Tag.parse("team/app:n1");
    Tag n2 = Tag.parse("team/app:n2");
    Tag n3 = Tag.parse("team/app:n3");
    Tag n4 = Tag.parse("team/app:n4");
    store.put(TAG, A, gen(1));
    InTransaction failing = (tx, result) -> {
      if (hookFails) {
        throw new IllegalStateException("hook fails");
      }
    };
    boolean inQueueOrder = dialect == Dialect.SQLITE || !hookFails;
    List<Callable<PutResult>> writes = List.of(
        () -> store.put(n1, A, gen(1)),
        () -> store.put(n2, A, gen(1)),
        () -> store.put(n1, B, gen(2)),
        () -> store.delete(n3, gen(1), InTransaction.NONE),
        () -> store.put(n3, A, gen(2)),
        () -> store.put(TAG, B, gen(2)),
        () -> store.put(n1, C, gen(1)),
        () -> store.put(n4, A, gen(1), failing),
        () -> store.put(n4, B, gen(2)));
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      CountDownLatch holding = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Future<?> holder = pool.submit(() -> fixture.db().write(tx -> {
        holding.countDown();
        try {
          return release.await(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          throw new IllegalStateException("interrupted while holding the writer", e);
        }
      }));
      assertThat(holding.await(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      List<Future<PutResult>> results = new ArrayList<>();
      for (Callable<PutResult> write : writes) {
        results.add(pool.submit(write));
        int queued = results.size();
        Poll.until(Poll.DEADLINE, queued + " writes queued", () -> writeQueue() == queued);
      }
      release.countDown();
      holder.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);

      List<Object> outcomes = new ArrayList<>();
      for (Future<PutResult> r : results) {
        try {
          outcomes.add(r.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS).outcome());
        } catch (ExecutionException e) {
          outcomes.add(e.getCause().getMessage());
        }
      }
      List<Object> oneByOne = List.of(Outcome.APPLIED, Outcome.APPLIED, Outcome.APPLIED, Outcome.UNCHANGED,
          Outcome.APPLIED, Outcome.APPLIED, Outcome.SUPERSEDED, hookFails ? "hook fails" : Outcome.APPLIED, Outcome.APPLIED);
      if (inQueueOrder) {
        assertThat(outcomes).containsExactlyElementsOf(oneByOne);
      } else {
        assertThat(outcomes).hasSize(oneByOne.size()).filteredOn(o -> o instanceof String).containsExactly("hook fails");
        assertThat(outcomes.get(7)).isEqualTo("hook fails");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(store.record(n1).map(r -> r.digest() + " " + r.generation().value())).contains(B + " 2");
    assertThat(store.get(n2)).contains(A);
    assertThat(store.get(n3)).contains(A);
    assertThat(store.get(TAG)).contains(B);
    assertThat(store.get(n4)).contains(B);
    if (inQueueOrder) {
      assertThat(digests(store.history(n1, 10))).containsExactly(B, A);
    } else {
      assertThat(digests(store.history(n1, 10))).first().isEqualTo(B);
    }
    assertThat(digests(store.history(n2, 10))).containsExactly(A);
    assertThat(digests(store.history(n3, 10))).containsExactly(A);
    assertThat(digests(store.history(TAG, 10))).containsExactly(B, A);
    assertThat(digests(store.history(n4, 10))).containsExactly(hookFails ? new Digest[] {B} : new Digest[] {B, A});
    assertThat(fixture.metrics().counter("localdb.batch_splits").getCount()).isEqualTo(hookFails ? 1 : 0);
  }

  private int writeQueue() {
    return ((Number) fixture.metrics().getGauges().get("localdb.write_queue").getValue()).intValue();
  }

  private static List<Digest> digests(List<HistoryEntry> history) {
    return history.stream().map(HistoryEntry::digest).toList();
  }

  @Test
  void put_hookRunsInTheWritesTransaction() {
    List<String> seen = new ArrayList<>();
    InTransaction hook = (tx, result) -> {
      seen.add("outcome " + result.outcome());
      seen.add("tx sees " + digestIn(tx, TAG));
      seen.add("others see " + fixture.db().read(c -> digestIn(c, TAG)));
      insertItem(tx, 1, "written with the tag");
    };

    store.put(TAG, A, gen(1), hook);

    assertThat(seen).containsExactly("outcome APPLIED", "tx sees " + A, "others see null");
    assertThat(itemCount()).isEqualTo(1);
  }

  /** Records its runs, and what a reader outside the transaction sees when the write committed. */
  private final class RecordingHook implements InTransaction {
    final List<String> seen = new ArrayList<>();
    private final boolean fail;

    RecordingHook(boolean fail) {
      this.fail = fail;
    }

    @Override
    public void apply(Connection tx, PutResult result) {
      seen.add("apply");
      if (fail) {
        throw new IllegalStateException("enqueue failed");
      }
    }

    @Override
    public void committed() {
      seen.add("committed, others see " + fixture.db().read(c -> digestIn(c, TAG)));
    }
  }

  @Test
  void put_hookCommitted_runsOnceAfterTheCommit() {
    RecordingHook hook = new RecordingHook(false);

    store.put(TAG, A, gen(1), hook);

    assertThat(hook.seen).containsExactly("apply", "committed, others see " + A);
  }

  @Test
  void put_hookCommittedThrows_theWriteStandsAndReturns() {
    InTransaction hook = new InTransaction() {
      @Override
      public void apply(Connection tx, PutResult result) {}

      @Override
      public void committed() {
        throw new IllegalStateException("hand-over failed");
      }
    };

    PutResult result = store.put(TAG, A, gen(1), hook);

    assertThat(result.outcome()).isEqualTo(PutResult.Outcome.APPLIED);
    assertThat(store.get(TAG)).contains(A);
  }

  @Test
  void put_rolledBack_hookNotToldCommitted() {
    RecordingHook hook = new RecordingHook(true);

    assertThatThrownBy(() -> store.put(TAG, A, gen(1), hook)).isInstanceOf(IllegalStateException.class);

    // PostgreSQL runs a write of a failed group commit again, alone: apply may run twice.
    assertThat(hook.seen).isNotEmpty().containsOnly("apply");
  }

  @Test
  void delete_hookCommitted_runsAfterTheTombstoneCommitted() {
    store.put(TAG, A, gen(1));
    RecordingHook hook = new RecordingHook(false);

    store.delete(TAG, gen(2), hook);

    assertThat(hook.seen).containsExactly("apply", "committed, others see null");
  }

  @Test
  void put_hookThrowsRuntimeException_tagWriteRolledBackToo() {
    IllegalStateException failure = new IllegalStateException("enqueue failed");

    assertThatThrownBy(() -> store.put(TAG, A, gen(1), (tx, result) -> {
      insertItem(tx, 1, "half done");
      throw failure;
    })).isSameAs(failure);

    assertThat(store.record(TAG)).isEmpty();
    assertThat(store.history(TAG, 10)).isEmpty();
    assertThat(itemCount()).isZero();
  }

  @Test
  void put_hookThrowsSqlException_tagWriteRolledBackAndStoreUnavailable() {
    store.put(TAG, A, gen(1));

    assertThatThrownBy(() -> store.put(TAG, B, gen(2), (tx, result) -> {
      throw new SQLException("enqueue failed");
    })).isInstanceOf(StoreUnavailableException.class).hasCauseInstanceOf(SQLException.class);

    assertThat(store.record(TAG).orElseThrow().generation()).isEqualTo(gen(1));
    assertThat(store.get(TAG)).contains(A);
    assertThat(store.history(TAG, 10)).hasSize(1);
  }

  @Test
  void delete_hookThrows_tombstoneRolledBack() {
    store.put(TAG, A, gen(1));

    assertThatThrownBy(() -> store.delete(TAG, gen(2), (tx, result) -> {
      throw new IllegalStateException("enqueue failed");
    })).isInstanceOf(IllegalStateException.class);

    assertThat(store.get(TAG)).contains(A);
  }

  @Test
  void put_superseded_hookStillRunsWithTheWinningState() {
    store.put(TAG, B, gen(5));
    List<PutResult> seen = new ArrayList<>();

    store.put(TAG, A, gen(4), (tx, result) -> seen.add(result));

    assertThat(seen).singleElement().satisfies(r -> {
      assertThat(r.outcome()).isEqualTo(Outcome.SUPERSEDED);
      assertThat(r.current().digest()).isEqualTo(B);
    });
  }

  @Test
  void list_prefix_liveTagsInKeyOrderWithoutTombstones() {
    putAll("repo:a", "repo:b", "repo:c", "repo:d", "repo2:x", "repo/sub:y", "repoa:q", "rep:z", "other:a");
    store.delete(Tag.parse("repo:d"), gen(100), InTransaction.NONE);

    assertThat(store.list("repo", 100, null)).isEqualTo(new Page(
        List.of("repo/sub:y", "repo2:x", "repo:a", "repo:b", "repo:c", "repoa:q"), null));
    assertThat(store.list("repo:", 100, null).items()).containsExactly("repo:a", "repo:b", "repo:c");
    assertThat(store.list("", 100, null).items()).hasSize(8);
    assertThat(store.list("nothing", 100, null)).isEqualTo(new Page(List.of(), null));
  }

  @Test
  void list_paging_followsNextAfterToTheEnd() {
    putAll("r:t0", "r:t1", "r:t2", "r:t3", "r:t4", "r:t5", "r:t6");

    Page first = store.list("r:", 3, null);
    Page second = store.list("r:", 3, first.nextAfter());
    Page third = store.list("r:", 3, second.nextAfter());

    assertThat(first).isEqualTo(new Page(List.of("r:t0", "r:t1", "r:t2"), "r:t2"));
    assertThat(second).isEqualTo(new Page(List.of("r:t3", "r:t4", "r:t5"), "r:t5"));
    assertThat(third).isEqualTo(new Page(List.of("r:t6"), null));
  }

  @Test
  void list_lastPageExactlyFull_hasNoNextAfter() {
    putAll("r:t0", "r:t1", "r:t2", "r:t3");

    Page first = store.list("r:", 2, null);
    Page second = store.list("r:", 2, first.nextAfter());

    assertThat(second).isEqualTo(new Page(List.of("r:t2", "r:t3"), null));
  }

  @Test
  void list_tombstonesSkippedAcrossPages() {
    putAll("r:t0", "r:t1", "r:t2", "r:t3", "r:t4");
    store.delete(Tag.parse("r:t1"), gen(100), InTransaction.NONE);
    store.delete(Tag.parse("r:t2"), gen(100), InTransaction.NONE);

    Page first = store.list("r:", 2, null);
    Page second = store.list("r:", 2, first.nextAfter());

    assertThat(first).isEqualTo(new Page(List.of("r:t0", "r:t3"), "r:t3"));
    assertThat(second).isEqualTo(new Page(List.of("r:t4"), null));
  }

  @Test
  void list_tagsWrittenBetweenPages_neitherDuplicatedNorSkipped() {
    putAll("r:t1", "r:t3", "r:t5");
    Page first = store.list("r:", 2, null);

    putAll("r:t0", "r:t4");
    Page second = store.list("r:", 2, first.nextAfter());

    assertThat(first.items()).containsExactly("r:t1", "r:t3");
    assertThat(second.items()).containsExactly("r:t4", "r:t5");
  }

  @Test
  void list_afterOutsidePrefix_clampedToTheRange() {
    putAll("r:t0", "r:t1");

    assertThat(store.list("r:", 10, "a").items()).containsExactly("r:t0", "r:t1");
    assertThat(store.list("r:", 10, "z").items()).isEmpty();
  }

  @Test
  void listRepository_namesOfThatRepositoryOnly() {
    putAll("repo:a", "repo:b", "repo:c", "repo:d", "repo2:x", "repo/sub:y", "repo-x:w", "repo_x:v", "rep:z");
    store.delete(Tag.parse("repo:d"), gen(100), InTransaction.NONE);

    assertThat(store.listRepository("repo", 100, null)).isEqualTo(new Page(List.of("a", "b", "c"), null));
    assertThat(store.listRepository("repo/sub", 100, null).items()).containsExactly("y");
    assertThat(store.listRepository("nothing", 100, null)).isEqualTo(new Page(List.of(), null));
  }

  @Test
  void listRepository_paging_nextAfterIsATagName() {
    putAll("repo:a", "repo:b", "repo:c", "repo2:x");

    Page first = store.listRepository("repo", 2, null);
    Page second = store.listRepository("repo", 2, first.nextAfter());

    assertThat(first).isEqualTo(new Page(List.of("a", "b"), "b"));
    assertThat(second).isEqualTo(new Page(List.of("c"), null));
  }

  @Test
  void scan_includesTombstonesInKeyOrder() {
    putAll("b:1", "a:1", "c:1", "a/x:1");
    store.delete(Tag.parse("b:1"), gen(100), InTransaction.NONE);
    store.delete(Tag.parse("d:1"), gen(100), InTransaction.NONE);

    List<TagRecord> all = store.scan(null, 100);

    assertThat(all).extracting(r -> r.tag().toString()).containsExactly("a/x:1", "a:1", "b:1", "c:1", "d:1");
    assertThat(all).extracting(TagRecord::deleted).containsExactly(false, false, true, false, true);
    assertThat(all.get(1).digest()).isEqualTo(A);
  }

  @Test
  void scan_afterAndLimit_pagesThroughEveryRecord() {
    putAll("a:1", "b:1", "c:1", "d:1", "e:1");
    store.delete(Tag.parse("c:1"), gen(100), InTransaction.NONE);

    List<String> seen = new ArrayList<>();
    @Nullable String after = null;
    List<TagRecord> page;
    do {
      page = store.scan(after, 2);
      page.forEach(r -> seen.add(r.tag().toString()));
      after = page.isEmpty() ? after : page.get(page.size() - 1).tag().toString();
    } while (!page.isEmpty());

    assertThat(seen).containsExactly("a:1", "b:1", "c:1", "d:1", "e:1");
  }

  @Test
  void countLive_excludesTombstones() {
    putAll("a:1", "b:1", "c:1");
    store.delete(Tag.parse("b:1"), gen(100), InTransaction.NONE);

    assertThat(store.countLive()).isEqualTo(2);
  }

  @Test
  void check_openDatabase_passes() {
    store.check();
  }

  @Test
  void reopen_keepsTagsTombstonesAndHistory() {
    store.put(TAG, A, gen(1));
    store.put(TAG, B, gen(2));
    Tag deleted = Tag.parse("repo:gone");
    store.put(deleted, A, gen(1));
    store.delete(deleted, gen(2), InTransaction.NONE);

    fixture.reopen();
    store = new SqlTagStore(fixture.db(), clock);

    assertThat(store.get(TAG)).contains(B);
    assertThat(store.history(TAG, 10)).extracting(HistoryEntry::digest).containsExactly(B, A);
    assertThat(store.record(deleted).orElseThrow().deleted()).isTrue();
  }

  private void putAll(String... tags) {
    for (String t : tags) {
      store.put(Tag.parse(t), A, gen(1));
    }
  }

  private static @Nullable String digestIn(Connection c, Tag tag) throws SQLException {
    try (PreparedStatement q = c.prepareStatement("SELECT digest FROM tags WHERE tag = ?")) {
      q.setString(1, tag.toString());
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private static void insertItem(Connection tx, int id, String name) throws SQLException {
    try (PreparedStatement s = tx.prepareStatement("INSERT INTO items (id, name) VALUES (?, ?)")) {
      s.setInt(1, id);
      s.setString(2, name);
      s.executeUpdate();
    }
  }

  private int itemCount() {
    return fixture.db().read(c -> {
      try (PreparedStatement q = c.prepareStatement("SELECT count(*) FROM items"); ResultSet rs = q.executeQuery()) {
        return rs.next() ? rs.getInt(1) : 0;
      }
    });
  }

  static Generation gen(long value) {
    return new Generation(value);
  }

  static Digest digest(char hex) {
    return Digest.parse("sha256:" + String.valueOf(hex).repeat(64));
  }
}
