package io.buildindex.tagreplication;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.TagReplicationConfig;
import io.buildindex.config.TagStoreConfig;
import io.buildindex.database.testing.SqliteFixture;
import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.HybridLogicalClock;
import io.buildindex.tagstore.PutResult;
import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagStore;
import io.buildindex.tagstore.TagStores;
import io.buildindex.testing.Poll;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.OkHttpClient;

/**
 * One build-index node as far as replication goes: its database, tag store and a started
 * {@link Replication}, with {@link #restart} closing and reopening everything on the same file.
 */
final class TestNode implements AutoCloseable {
  /** Fast retries so that tests wait milliseconds, not minutes. */
  static TagReplicationConfig fastConfig(int maxAttempts) {
    return new TagReplicationConfig(Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofMillis(500), maxAttempts,
        4, 2, null, 1_000);
  }

  private final Clock clock = Clock.systemUTC();
  private final HybridLogicalClock hlc = new HybridLogicalClock(clock);
  private final SqliteFixture db;
  private final TagReplicationConfig config;
  private final BlobReplicator blobs;
  private final OkHttpClient http = new OkHttpClient();
  private MetricRegistry metrics;
  private TagStore tags;
  private Replication replication;

  TestNode(Path dir, Map<String, List<String>> remotes, TagReplicationConfig config, BlobReplicator blobs) {
    this.db = SqliteFixture.open(dir, "tagstore", "tagreplication");
    this.config = config;
    this.blobs = blobs;
    start(remotes);
    // A new node's rules are new, so a backfill starts; on the empty store it has nothing to do,
    // but it must end before the test writes, or it would enqueue those writes too.
    Poll.until(Poll.DEADLINE, "start-up backfill done", () -> replication.backfill().stream().allMatch(BackfillProgress::done),
        replication::backfill);
  }

  TestNode(Path dir, Map<String, List<String>> remotes) {
    this(dir, remotes, fastConfig(0), BlobReplicator.NONE);
  }

  private void start(Map<String, List<String>> remotes) {
    metrics = new MetricRegistry();
    tags = TagStores.create(db.db(), TagStoreConfig.defaults(), clock, new MetricRegistry());
    replication = Replications.create(remotes, config, context(), blobs, DependencyResolver.DIGEST_ONLY);
    replication.start();
  }

  ReplicationContext context() {
    return new ReplicationContext(db.db(), tags, http, clock, metrics);
  }

  Replication replication() {
    return replication;
  }

  TagReplicationConfig config() {
    return config;
  }

  MetricRegistry metrics() {
    return metrics;
  }

  TagStore tags() {
    return tags;
  }

  PutResult put(String tag, Digest digest, boolean replicate) {
    return tags.put(Tag.parse(tag), digest, hlc.next(), replication.onTagWrite(replicate, List.of(digest)));
  }

  PutResult delete(String tag) {
    return tags.delete(Tag.parse(tag), hlc.next(), replication.onTagDelete(true));
  }

  Optional<TaskStatus> task(String tag, String destination) {
    return replication.status(Tag.parse(tag)).stream().filter(t -> t.destination().equals(destination)).findFirst();
  }

  /** Waits until the task of {@code tag} to {@code destination} is in {@code state}, and returns it. */
  TaskStatus awaitState(String tag, String destination, TaskState state) {
    Poll.until(Poll.DEADLINE, tag + " -> " + destination + " " + state,
        () -> task(tag, destination).map(t -> t.state() == state).orElse(false), () -> task(tag, destination));
    return task(tag, destination).orElseThrow();
  }

  /** Stops replication, closes and reopens the database, and starts replication with {@code remotes}. */
  void restart(Map<String, List<String>> remotes) {
    replication.close();
    tags.close();
    db.reopen();
    start(remotes);
  }

  @Override
  public void close() {
    replication.close();
    tags.close();
    db.close();
  }
}
