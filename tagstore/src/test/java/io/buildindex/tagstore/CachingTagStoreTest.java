package io.buildindex.tagstore;

import static io.buildindex.tagstore.SqlTagStoreTest.digest;
import static io.buildindex.tagstore.SqlTagStoreTest.gen;
import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.TagStoreConfig;
import io.buildindex.database.Databases;
import io.buildindex.database.LocalDb;
import io.buildindex.database.testing.PausingLocalDb;
import io.buildindex.database.testing.SqliteFixture;
import io.buildindex.tagstore.PutResult.Outcome;
import io.buildindex.tagstore.TagStore.InTransaction;
import io.buildindex.testing.FakeClock;
import io.buildindex.testing.Poll;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class CachingTagStoreTest {
  private static final Tag TAG = Tag.parse("team/app:v1");
  private static final Digest A = digest('a');
  private static final Digest B = digest('b');

  @TempDir Path dir;
  private final FakeClock clock = new FakeClock();
  private final MetricRegistry metrics = new MetricRegistry();
  private SqliteFixture fixture;
  private PausingLocalDb db;
  private SqlTagStore sqlite;
  private CachingTagStore store;
  private ExecutorService pool;

  @BeforeEach
  void setUp() {
    fixture = SqliteFixture.open(dir, "tagstore");
    db = new PausingLocalDb(fixture.db());
    sqlite = new SqlTagStore(db, clock);
    store = new CachingTagStore(sqlite, 10_000, metrics);
    pool = Executors.newCachedThreadPool();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    store.close();
    fixture.close();
  }

  @Test
  void get_repeated_readsSqliteOnce() {
    sqlite.put(TAG, A, gen(1));

    assertThat(store.get(TAG)).contains(A);
    assertThat(store.get(TAG)).contains(A);
    assertThat(db.reads()).isEqualTo(1);
  }

  @Test
  void get_cachedMiss_becomesAHitRightAfterPut() {
    assertThat(store.get(TAG)).isEmpty();
    assertThat(store.get(TAG)).isEmpty();
    assertThat(db.reads()).as("the miss is cached").isEqualTo(1);

    store.put(TAG, A, gen(1));

    assertThat(store.get(TAG)).contains(A);
    assertThat(db.reads()).as("the put filled the cache").isEqualTo(1);
  }

  @Test
  void delete_cachedTag_visibleImmediately() {
    store.put(TAG, A, gen(1));
    assertThat(store.get(TAG)).contains(A);

    store.delete(TAG, gen(2), InTransaction.NONE);

    assertThat(store.get(TAG)).isEmpty();
    assertThat(store.record(TAG).orElseThrow().deleted()).isTrue();
  }

  @Test
  void put_supersededByCachedState_cacheKeepsTheWinner() {
    store.put(TAG, B, gen(5));

    PutResult result = store.put(TAG, A, gen(4));

    assertThat(result.outcome()).isEqualTo(Outcome.SUPERSEDED);
    assertThat(store.get(TAG)).contains(B);
  }

  @Test
  void put_supersededByUncachedState_cacheTakesTheStoredWinner() {
    assertThat(store.get(TAG)).isEmpty(); // caches the miss
    sqlite.put(TAG, B, gen(5)); // e.g. written by a path that bypasses this cache

    store.put(TAG, A, gen(4));

    assertThat(store.get(TAG)).contains(B);
  }

  /* Two writers commit g1 then g2, but the g1 writer updates the cache last. */
  @Test
  void put_writersFinishOutOfOrder_cacheKeepsTheNewerGeneration() throws Exception {
    PausingLocalDb.Pause afterCommit = db.pauseNextWrite();
    Future<PutResult> older = pool.submit(() -> store.put(TAG, A, gen(1)));
    afterCommit.awaitReached();

    store.put(TAG, B, gen(2));
    afterCommit.release();

    assertThat(older.get().outcome()).isEqualTo(Outcome.APPLIED);
    assertThat(store.get(TAG)).contains(B);
  }

  /*
   * Same race with equal generations (two nodes can issue the same HLC value): SQLite resolves the
   * tie on the digest (B wins whatever the order), and the cache must agree with it.
   */
  @Test
  void put_equalGenerationsFinishOutOfOrder_cacheAgreesWithTheTieBreak() throws Exception {
    PausingLocalDb.Pause afterCommit = db.pauseNextWrite();
    Future<PutResult> loser = pool.submit(() -> store.put(TAG, A, gen(5)));
    afterCommit.awaitReached();

    PutResult winner = store.put(TAG, B, gen(5));
    afterCommit.release();

    assertThat(winner.outcome()).isEqualTo(Outcome.APPLIED);
    assertThat(loser.get().outcome()).isEqualTo(Outcome.APPLIED);
    assertThat(sqlite.get(TAG)).contains(B);
    assertThat(store.get(TAG)).as("cache must match SQLite").isEqualTo(sqlite.get(TAG));
  }

  /* A cache load read the old row; a write commits and merges while the load still holds the entry. */
  @Test
  void get_loadThatReadTheOldRow_doesNotOutliveAConcurrentWrite() throws Exception {
    sqlite.put(TAG, A, gen(1));
    PausingLocalDb.Pause afterRead = db.pauseNextRead();
    Future<Optional<Digest>> load = pool.submit(() -> store.get(TAG));
    afterRead.awaitReached();

    Future<PutResult> write = pool.submit(() -> store.put(TAG, B, gen(2)));
    Poll.until(Poll.DEADLINE, "the write committed", () -> sqlite.get(TAG).equals(Optional.of(B)));
    afterRead.release();

    assertThat(load.get()).contains(A); // read before the commit: the old value is a fair answer
    assertThat(write.get().outcome()).isEqualTo(Outcome.APPLIED);
    assertThat(store.get(TAG)).contains(B);
  }

  /*
   * Writers put and delete a few tags with generations from one counter, so they commit and
   * update the cache in every order; readers read all along so the cache holds old states and
   * loads race the writes. Once every writer has returned, every reader must see each tag's
   * highest generation.
   */
  @Test
  void concurrentWritersAndReaders_afterWritersReturn_everyReaderSeesTheNewestGeneration() throws Exception {
    List<Tag> tags = List.of(Tag.parse("hot:1"), Tag.parse("hot:2"), Tag.parse("hot:3"), Tag.parse("hot:4"));
    int writers = 8;
    int readers = 6;
    int writesEach = 80;
    int readsEach = 2_000; // bounded, so spinning readers cannot starve the writers on a small machine
    AtomicLong generations = new AtomicLong();
    Map<Tag, Long> newest = new ConcurrentHashMap<>();
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch writersDone = new CountDownLatch(1);

    List<Future<?>> writing = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      writing.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < writesEach; i++) {
          Tag tag = tags.get((writer + i) % tags.size());
          long g = generations.incrementAndGet();
          if (g % 7 == 0) {
            store.delete(tag, gen(g), InTransaction.NONE);
          } else {
            store.put(tag, digestOf(g), gen(g));
          }
          newest.merge(tag, g, Math::max);
        }
        return null;
      }));
    }
    List<Future<Map<Tag, TagRecord>>> reading = new ArrayList<>();
    for (int r = 0; r < readers; r++) {
      reading.add(pool.submit(() -> {
        start.await();
        Map<Tag, Long> lastSeen = new HashMap<>();
        for (int i = 0; i < readsEach && writersDone.getCount() > 0; i++) {
          Tag tag = tags.get(ThreadLocalRandom.current().nextInt(tags.size()));
          long seen = store.record(tag).map(rec -> rec.generation().value()).orElse(0L);
          assertThat(seen).as("reads of %s never go back", tag).isGreaterThanOrEqualTo(lastSeen.getOrDefault(tag, 0L));
          lastSeen.put(tag, seen);
        }
        writersDone.await();
        Map<Tag, TagRecord> last = new HashMap<>();
        tags.forEach(t -> store.record(t).ifPresent(rec -> last.put(t, rec)));
        return last;
      }));
    }
    start.countDown();
    for (Future<?> f : writing) {
      f.get();
    }
    writersDone.countDown();

    for (Future<Map<Tag, TagRecord>> f : reading) {
      Map<Tag, TagRecord> seen = f.get();
      for (Tag tag : tags) {
        long g = newest.get(tag);
        TagRecord rec = seen.get(tag);
        assertThat(rec.generation().value()).as("generation of %s", tag).isEqualTo(g);
        assertThat(rec.digest()).isEqualTo(g % 7 == 0 ? null : digestOf(g));
      }
    }
    for (Tag tag : tags) {
      assertThat(store.record(tag)).isEqualTo(sqlite.record(tag));
    }
  }

  @Test
  void maximumSizeZero_stillAnswersCorrectly() {
    CachingTagStore uncached = new CachingTagStore(sqlite, 0, new MetricRegistry());

    uncached.put(TAG, A, gen(1));
    assertThat(uncached.get(TAG)).contains(A);
    uncached.delete(TAG, gen(2), InTransaction.NONE);
    assertThat(uncached.get(TAG)).isEmpty();
  }

  @Test
  void listingsAndHistory_comeFromSqlite() {
    store.put(TAG, A, gen(1));
    store.put(TAG, B, gen(2));
    store.put(Tag.parse("team/app:v2"), A, gen(1));

    assertThat(store.history(TAG, 10)).extracting(HistoryEntry::digest).containsExactly(B, A);
    assertThat(store.list("team/", 10, null).items()).containsExactly("team/app:v1", "team/app:v2");
    assertThat(store.listRepository("team/app", 10, null).items()).containsExactly("v1", "v2");
    assertThat(store.scan(null, 10)).hasSize(2);
    store.check();
  }

  @Test
  void metrics_reportCacheAndLiveTagCount() {
    store.put(TAG, A, gen(1));
    store.put(Tag.parse("team/app:v2"), A, gen(1));
    store.delete(Tag.parse("team/app:v2"), gen(2), InTransaction.NONE);

    assertThat(metrics.getGauges()).containsKeys("tagstore.cache.size", "tagstore.cache.hit_ratio", "tagstore.tags");
    assertThat(metrics.getGauges().get("tagstore.tags").getValue()).isEqualTo(1L);
  }

  @Test
  void tagStoresCreate_migratesAndReturnsAWorkingStore() {
    try (LocalDb fresh = Databases.sqlite(dir.resolve("fresh.db"), new MetricRegistry())) {
      TagStore created = TagStores.create(fresh, TagStoreConfig.defaults(), clock, new MetricRegistry());

      created.put(TAG, A, gen(1));

      assertThat(created.get(TAG)).contains(A);
      assertThat(created).isInstanceOf(CachingTagStore.class);
    }
  }

  private static Digest digestOf(long generation) {
    return Digest.parse("sha256:" + String.format("%064x", generation));
  }
}
