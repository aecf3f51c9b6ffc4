package io.buildindex.tagreplication;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import io.buildindex.config.TagReplicationConfig;
import io.buildindex.config.TagStoreConfig;
import io.buildindex.database.testing.SqliteFixture;
import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.PutResult;
import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagRecord;
import io.buildindex.tagstore.TagStore;
import io.buildindex.tagstore.TagStores;
import io.buildindex.testing.Poll;
import io.buildindex.testing.Slow;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drains a queue of N tasks to a fast fake remote on 127.0.0.1 with the default configuration (or
 * {@code -Dbench.workers=}, {@code -Dbench.concurrency=}) and prints tasks per second; in batches,
 * or with {@code -Dbench.batches=false} one task per request (a Kraken remote). Not a pass/fail benchmark: speed is printed, never asserted. Size it with
 * {@code -Dbench.tasks=100000}. {@link Slow}: it runs by default and in CI, and
 * {@code mvn test -Dquick} skips it (see README, Quick start).
 */
@Slow
final class ReplicationBenchTest {
  private static final int TASKS = Integer.getInteger("bench.tasks", 10_000);
  private static final int ENQUEUE_BATCH = 1_000;

  @TempDir Path dir;

  @Test
  void drain_printsTasksPerSecond() throws IOException {
    Clock clock = Clock.systemUTC();
    try (BenchRemote remote = new BenchRemote(!"false".equals(System.getProperty("bench.batches")));
        SqliteFixture db = SqliteFixture.open(dir, "tagstore", "tagreplication");
        TagStore tags = TagStores.create(db.db(), TagStoreConfig.defaults(), clock, new MetricRegistry())) {
      MetricRegistry metrics = new MetricRegistry();
      Replication replication = Replications.create(Map.of(remote.address(), List.of(".*")),
          benchConfig(), new ReplicationContext(db.db(), tags, new OkHttpClient(), clock, metrics),
          BlobReplicator.NONE, DependencyResolver.DIGEST_ONLY);
      enqueue(db, replication, clock);

      long start = System.nanoTime();
      try (replication) {
        replication.start();
        Poll.until(Duration.ofMinutes(10), TASKS + " tasks done", () -> metrics.counter("tagreplication.done").getCount() >= TASKS,
            () -> metrics.counter("tagreplication.done").getCount());
      }
      long nanos = System.nanoTime() - start;

      print(metrics, nanos);
      assertThat(remote.size()).isEqualTo(TASKS);
      assertThat(replication.tasks(TaskFilter.state(TaskState.PENDING), 1, null).tasks()).isEmpty();
    }
  }

  private static TagReplicationConfig benchConfig() {
    return new TagReplicationConfig(null, null, null, null, Integer.getInteger("bench.workers"),
        Integer.getInteger("bench.concurrency"), null, null);
  }

  /* Straight through the transaction hook, in big batches: the bench measures draining, not puts. */
  private static void enqueue(SqliteFixture db, Replication replication, Clock clock) {
    Digest digest = SqliteTaskQueueTest.D1;
    TagStore.InTransaction hook = replication.onTagWrite(true, List.of(digest));
    for (int from = 0; from < TASKS; from += ENQUEUE_BATCH) {
      int first = from;
      db.db().write(tx -> {
        for (int i = first; i < Math.min(TASKS, first + ENQUEUE_BATCH); i++) {
          TagRecord r = new TagRecord(new Tag("bench/app", "t" + i), digest, Generation.of(clock.millis(), i), clock.instant());
          hook.apply(tx, new PutResult(PutResult.Outcome.APPLIED, r));
        }
        return null;
      });
      hook.committed(); // the task its first write may have claimed starts now, as after a tag store's put
    }
  }

  private static void print(MetricRegistry metrics, long nanos) {
    Snapshot attempt = metrics.timer("tagreplication.attempt_latency").getSnapshot();
    System.out.printf("replication bench: drained %d tasks in %d ms: %.0f tasks/s on %d cores; attempt mean %.2f ms,"
            + " p50 %.2f ms, p99 %.2f ms%n",
        TASKS, TimeUnit.NANOSECONDS.toMillis(nanos), TASKS / (nanos / 1e9), Runtime.getRuntime().availableProcessors(),
        attempt.getMean() / 1e6, attempt.getMedian() / 1e6, attempt.get99thPercentile() / 1e6);
    System.out.flush();
  }
}
