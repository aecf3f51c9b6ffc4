package io.buildindex.tagstore;

import static io.buildindex.tagstore.SqlTagStoreTest.gen;
import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.database.LocalDb;
import io.buildindex.database.testing.PostgresFixture;
import io.buildindex.testing.FakeClock;
import io.buildindex.testing.Poll;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shared mode: two nodes' tag stores (each its own {@link LocalDb} pool, listener and cache) on one
 * PostgreSQL database.
 */
final class SharedTagStoreTest {
  private static final Logger log = LoggerFactory.getLogger(SharedTagStoreTest.class);
  private static final Tag TAG = Tag.parse("team/app:v1");

  private final FakeClock clock = new FakeClock();
  /** Node 2's cache clock, in nanoseconds. */
  private final AtomicLong ticker = new AtomicLong();
  private final MetricRegistry metrics1 = new MetricRegistry();
  private final MetricRegistry metrics2 = new MetricRegistry();
  private PostgresFixture pg;
  private CachingTagStore node1;
  private CachingTagStore node2;
  private ExecutorService pool;

  @BeforeEach
  void setUp() {
    pg = PostgresFixture.create();
    node1 = new CachingTagStore(new SqlTagStore(pg.open(), clock), 10_000, metrics1);
    node2 = new CachingTagStore(new SqlTagStore(pg.open(), clock), 10_000, metrics2, ticker::get);
    pool = Executors.newCachedThreadPool();
    Poll.until(Poll.DEADLINE, "both caches listening", () -> listening(metrics1) && listening(metrics2));
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    node1.close();
    node2.close();
    pg.close();
  }

  @Test
  void writeOnOneNode_visibleOnTheOtherFromItsCacheAfterNotification() {
    List<Long> latenciesMicros = new ArrayList<>();
    for (int i = 1; i <= 50; i++) {
      Digest before = digestOf(2 * i);
      Digest after = digestOf(2 * i + 1);
      node1.put(TAG, before, gen(2L * i));
      // Node 2 may read the first write from the database before its notice arrives; the notice
      // would then empty the cache again. Wait for the notice, so the read below is what stays cached.
      long noticed = 2L * i - 1;
      Poll.until(Poll.DEADLINE, "node 2 told of the first write",
          () -> metrics2.counter("tagstore.cache.invalidations").getCount() >= noticed);
      assertThat(node2.get(TAG)).contains(before); // now cached on node 2

      long acked = System.nanoTime();
      node1.put(TAG, after, gen(2L * i + 1));
      Poll.until(Duration.ofSeconds(10), "node 2 sees the acknowledged write", () -> node2.get(TAG).equals(Optional.of(after)));
      latenciesMicros.add((System.nanoTime() - acked) / 1_000);
    }

    Collections.sort(latenciesMicros);
    log.info("write acknowledged on node 1 -> visible on node 2: p50 {} us, p90 {} us, max {} us (50 writes)",
        latenciesMicros.get(24), latenciesMicros.get(44), latenciesMicros.get(49));
    assertThat(metrics2.counter("tagstore.cache.invalidations").getCount()).isGreaterThanOrEqualTo(100);
    assertThat(metrics2.counter("tagstore.cache.bypassed_reads").getCount()).isZero();
  }

  @Test
  void writeWhoseNoticeWasNeverSent_servedStaleAtMostTheSharedMaxAge() {
    node1.put(TAG, digestOf(1), gen(1));
    Poll.until(Poll.DEADLINE, "node 2 told of the first write",
        () -> metrics2.counter("tagstore.cache.invalidations").getCount() == 1);
    assertThat(node2.get(TAG)).contains(digestOf(1)); // now cached on node 2
    // A node that died between its commit and its notice: the row changes, nobody is told.
    try (LocalDb silent = pg.open()) {
      silent.write(tx -> {
        try (Statement s = tx.createStatement()) {
          s.executeUpdate("UPDATE tags SET digest = '" + digestOf(2) + "', generation = 2 WHERE tag = '" + TAG + "'");
        }
        return null;
      });
    }
    assertThat(node2.get(TAG)).as("cached, and no notice came").contains(digestOf(1));

    ticker.addAndGet(CachingTagStore.SHARED_MAX_AGE.toNanos());

    assertThat(node2.get(TAG)).contains(digestOf(2));
  }

  @Test
  void concurrentWritesOfTheSameTagsFromBothNodes_convergeOnTheNewestGeneration() throws Exception {
    List<Tag> tags = List.of(Tag.parse("team/app:a"), Tag.parse("team/app:b"), Tag.parse("team/app:c"));
    List<Future<Map<Tag, TagRecord>>> writers = new ArrayList<>();
    for (int w = 0; w < 8; w++) {
      TagStore node = w % 2 == 0 ? node1 : node2;
      writers.add(pool.submit(() -> {
        Map<Tag, TagRecord> newest = new HashMap<>();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 100; i++) {
          Tag tag = tags.get(random.nextInt(tags.size()));
          long g = random.nextLong(1, 500);
          Digest d = digestOf(random.nextInt(4));
          PutResult r = random.nextInt(10) == 0 ? node.delete(tag, gen(g), TagStore.InTransaction.NONE) : node.put(tag, d, gen(g));
          newest.merge(tag, r.current(), (x, y) -> SqlTagStore.decide(Optional.of(x), y).current());
          node.get(tag); // keep the caches busy while others write
        }
        return newest;
      }));
    }
    Map<Tag, TagRecord> expected = new HashMap<>();
    for (Future<Map<Tag, TagRecord>> f : writers) {
      f.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
          .forEach((tag, r) -> expected.merge(tag, r, (x, y) -> SqlTagStore.decide(Optional.of(x), y).current()));
    }

    for (Tag tag : tags) {
      TagRecord winner = expected.get(tag);
      Poll.until(Poll.DEADLINE, "both nodes answer the newest state of " + tag,
          () -> sameState(node1.record(tag), winner) && sameState(node2.record(tag), winner),
          () -> node1.record(tag) + " / " + node2.record(tag) + " expected " + winner);
      List<Long> generations = node1.history(tag, 1_000).stream().map(h -> h.generation().value()).toList();
      assertThat(generations).as("history newest first").isSortedAccordingTo(Collections.reverseOrder());
    }
  }

  @Test
  void writesOfNewTagsInOneGroupCommit_insertedTogether_andLaterWritesOfTheSameTagDecidedInOrder() throws Exception {
    MetricRegistry dbMetrics = new MetricRegistry();
    LocalDb db = pg.open(dbMetrics);
    SqlTagStore store = new SqlTagStore(db, clock);
    Tag other = Tag.parse("team/app:other");
    Tag gone = Tag.parse("team/app:gone");
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<?> holder = pool.submit(() -> db.write(tx -> { // holds the writer: the writes below queue up
      running.countDown();
      try {
        return release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }));
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    List<Callable<PutResult>> writes = List.of(
        () -> store.put(TAG, digestOf(1), gen(5)),
        () -> store.put(other, digestOf(1), gen(1)),
        () -> store.put(TAG, digestOf(2), gen(7)),
        () -> store.put(TAG, digestOf(3), gen(6)),
        () -> store.delete(gone, gen(2), TagStore.InTransaction.NONE));
    List<Future<PutResult>> results = new ArrayList<>();
    for (Callable<PutResult> write : writes) {
      int queued = results.size() + 1;
      results.add(pool.submit(write));
      Poll.until(Poll.DEADLINE, queued + " writes queued", () -> dbMetrics.getGauges().get("localdb.write_queue").getValue().equals(queued));
    }
    release.countDown();
    holder.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);

    List<PutResult.Outcome> outcomes = new ArrayList<>();
    for (Future<PutResult> f : results) {
      outcomes.add(f.get(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS).outcome());
    }
    assertThat(outcomes).containsExactly(PutResult.Outcome.APPLIED, PutResult.Outcome.APPLIED, PutResult.Outcome.APPLIED,
        PutResult.Outcome.SUPERSEDED, PutResult.Outcome.UNCHANGED);
    assertThat(dbMetrics.histogram("localdb.commit_batch_size").getSnapshot().getMax()).as("one group commit").isEqualTo(5);
    assertThat(store.record(TAG).map(TagRecord::generation)).contains(gen(7));
    assertThat(store.get(TAG)).contains(digestOf(2));
    assertThat(store.history(TAG, 10)).extracting(HistoryEntry::generation).containsExactly(gen(7), gen(5));
    assertThat(store.history(other, 10)).extracting(HistoryEntry::digest).containsExactly(digestOf(1));
    assertThat(store.get(gone)).isEmpty();
    assertThat(store.record(gone).map(TagRecord::generation)).as("the tombstone").contains(gen(2));
    store.close();
    db.close();
  }

  @Test
  void listenerConnectionLost_readsBypassTheCacheUntilItIsBack_andNeverAnswerAMissedWrite() throws Exception {
    node1.put(TAG, digestOf(1), gen(1));
    assertThat(node2.get(TAG)).contains(digestOf(1)); // cached on node 2

    try (Connection admin = pg.connect(); Statement s = admin.createStatement()) {
      // Cuts every listener of the database; the pools' connections stay.
      s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
          + "WHERE application_name = 'build-index-listener' AND datname = '" + pg.databaseName() + "'");
    }
    node1.put(TAG, digestOf(2), gen(2)); // its notification may reach nobody

    // Whether node 2 has noticed yet or not, it never answers the cached digest 1 once it has
    // noticed, and it is listening (and answering from its cache) again after the reconnect.
    Poll.until(Poll.DEADLINE, "node 2 answers the write it may have missed",
        () -> node2.get(TAG).equals(Optional.of(digestOf(2))));
    Poll.until(Poll.DEADLINE, "node 2 listening again", () -> listening(metrics2));
    assertThat(node2.get(TAG)).contains(digestOf(2));
    node1.put(TAG, digestOf(3), gen(3));
    Poll.until(Poll.DEADLINE, "node 2 sees writes through notifications again",
        () -> node2.get(TAG).equals(Optional.of(digestOf(3))));
  }

  private static boolean sameState(Optional<TagRecord> got, TagRecord want) {
    return got.isPresent() && got.get().generation().equals(want.generation())
        && java.util.Objects.equals(got.get().digest(), want.digest());
  }

  private static boolean listening(MetricRegistry metrics) {
    return Integer.valueOf(1).equals(metrics.getGauges().get("tagstore.cache.listening").getValue());
  }

  private static Digest digestOf(int n) {
    return Digest.parse("sha256:" + String.format("%064x", n));
  }
}
