package io.buildindex.tagreplication;

import static io.buildindex.tagreplication.SqliteTaskQueueTest.D1;
import static io.buildindex.tagreplication.SqliteTaskQueueTest.D2;
import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.PutResult;
import io.buildindex.testing.Poll;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication through {@link WriteBatch} (remotes that serve it, no blobs to copy), and the
 * fall-back to one task per request for remotes that do not (Kraken).
 */
final class ReplicationBatchTest {
  private static final String TAG = "team/app:v1";

  @TempDir Path dir;
  private final Closer closer = new Closer();

  @AfterEach
  void closeAll() throws Exception {
    closer.close();
  }

  private <T extends AutoCloseable> T closing(T c) {
    return closer.add(c);
  }

  private FakeRemote batchingRemote() {
    return closing(FakeRemote.startBatching());
  }

  private TestNode node(FakeRemote remote) {
    return closing(new TestNode(dir, Map.of(remote.address(), List.of(".*"))));
  }

  @Test
  void backlog_goesInBatchesAndEveryTagArrivesAtItsGeneration() {
    FakeRemote remote = batchingRemote();
    remote.failWith(503);
    TestNode node = node(remote);
    int n = 300;
    List<PutResult> puts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      puts.add(node.put("team/app:t" + i, i % 2 == 0 ? D1 : D2, true));
    }
    Poll.until(Poll.DEADLINE, "every task failed at least once", () -> remote.entry("team/app:t0").isEmpty()
        && puts.stream().allMatch(p -> node.task(p.current().tag().toString(), remote.address())
            .map(t -> t.attempts() >= 1).orElse(false)));

    remote.failWith(0);
    // The backlog, due at once. Left to their own retries, the tasks would come due one by one over
    // the retry interval (each failed at its own time), and how many go together would depend on the
    // machine's speed, not on batching.
    node.replication().retry(TaskFilter.all());

    Poll.until(Poll.DEADLINE, "all " + n + " tasks done", () -> node.metrics().counter("tagreplication.done").getCount() == n,
        () -> node.metrics().counter("tagreplication.done").getCount());
    for (PutResult p : puts) {
      assertThat(remote.entry(p.current().tag().toString()))
          .contains(new FakeRemote.Entry(p.current().digest().toString(), p.current().generation().value()));
    }
    assertThat(remote.batchedWrites()).isGreaterThanOrEqualTo(n);
    assertThat(remote.batches()).as("requests for %d tasks", n).isLessThanOrEqualTo(n / 4);
    assertThat(remote.gets()).as("the batch replaces the lookup").isZero();
    assertThat(remote.puts()).isZero();
  }

  @Test
  void remoteAlreadyHasIt_doneWithoutChangingIt() {
    FakeRemote remote = batchingRemote();
    TestNode node = node(remote);
    PutResult put = node.put(TAG, D1, false);
    remote.seed(TAG, D1.toString(), put.current().generation().value());

    node.replication().enqueue(put.current(), List.of(D1), Duration.ZERO);

    assertThat(node.awaitState(TAG, remote.address(), TaskState.DONE).superseded()).isFalse();
    assertThat(remote.entry(TAG)).contains(new FakeRemote.Entry(D1.toString(), put.current().generation().value()));
    assertThat(remote.batches()).isEqualTo(1);
  }

  @Test
  void repointedTag_replacesTheRemotesOlderDigest() {
    FakeRemote remote = batchingRemote();
    remote.seed(TAG, D1.toString(), 1);
    TestNode node = node(remote);

    PutResult put = node.put(TAG, D2, true);

    node.awaitState(TAG, remote.address(), TaskState.DONE);
    assertThat(remote.entry(TAG)).contains(new FakeRemote.Entry(D2.toString(), put.current().generation().value()));
  }

  @Test
  void remoteHoldsNewerGeneration_doneAsSuperseded() {
    FakeRemote remote = batchingRemote();
    long newer = Generation.of(Instant.now().plus(Duration.ofDays(1)).toEpochMilli(), 0).value();
    remote.seed(TAG, D2.toString(), newer);
    TestNode node = node(remote);

    node.put(TAG, D1, true);

    assertThat(node.awaitState(TAG, remote.address(), TaskState.DONE).superseded()).isTrue();
    assertThat(remote.entry(TAG)).contains(new FakeRemote.Entry(D2.toString(), newer));
    // Counted once the result is recorded, just after the row shows it.
    Poll.until(Poll.DEADLINE, "tagreplication.superseded == 1", () -> node.metrics().counter("tagreplication.superseded").getCount() == 1,
        () -> node.metrics().counter("tagreplication.superseded").getCount());
  }

  @Test
  void delete_replicatesTheTombstone() {
    FakeRemote remote = batchingRemote();
    TestNode node = node(remote);
    node.put(TAG, D1, true);
    node.awaitState(TAG, remote.address(), TaskState.DONE);

    PutResult deleted = node.delete(TAG);

    Poll.until(Poll.DEADLINE, "the tombstone on the remote", () -> remote.entry(TAG).map(e -> e.digest() == null).orElse(false),
        () -> remote.entry(TAG));
    assertThat(remote.entry(TAG)).contains(new FakeRemote.Entry(null, deleted.current().generation().value()));
    assertThat(remote.deletes()).isZero();
  }

  @Test
  void refusedWrite_failsAloneAndIsRetried() {
    FakeRemote remote = batchingRemote();
    remote.refuseInBatches("team/bad:1", 400);
    TestNode node = node(remote);

    node.put("team/bad:1", D1, true);
    node.put("team/good:1", D1, true);

    node.awaitState("team/good:1", remote.address(), TaskState.DONE);
    Poll.until(Poll.DEADLINE, "the refused write failed", () -> node.task("team/bad:1", remote.address())
        .map(t -> t.state() == TaskState.FAILED || t.attempts() >= 1).orElse(false), () -> node.task("team/bad:1", remote.address()));
    TaskStatus failed = node.task("team/bad:1", remote.address()).orElseThrow();
    assertThat(failed.lastError()).isEqualTo("http_4xx: POST /replication/writes: team/bad:1 answered 400: refused on purpose");
    String refusals = ReplicationMetrics.labeled("tagreplication_failures", "reason", "http_4xx");
    Poll.until(Poll.DEADLINE, "the refusal counted", () -> node.metrics().counter(refusals).getCount() > 0);

    remote.refuseInBatches("team/bad:1", 0);

    node.awaitState("team/bad:1", remote.address(), TaskState.DONE);
    assertThat(remote.entry("team/bad:1")).isPresent();
  }

  @Test
  void wholeBatchFailure_failsEveryTaskWithTheReason() {
    FakeRemote remote = batchingRemote();
    remote.failWith(502);
    TestNode node = node(remote);

    node.put(TAG, D1, true);

    Poll.until(Poll.DEADLINE, "a failed attempt", () -> node.task(TAG, remote.address()).map(t -> t.attempts() >= 1).orElse(false),
        () -> node.task(TAG, remote.address()));
    assertThat(node.task(TAG, remote.address()).orElseThrow().lastError())
        .isEqualTo("http_5xx: " + remote.address() + ": POST /replication/writes answered 502: failing on purpose");
  }

  @Test
  void krakenRemote_oneTaskPerRequestAfterOneProbe() {
    FakeRemote remote = closing(FakeRemote.start());
    TestNode node = node(remote);

    for (int i = 0; i < 5; i++) {
      node.put("team/app:t" + i, D1, true);
    }

    for (int i = 0; i < 5; i++) {
      node.awaitState("team/app:t" + i, remote.address(), TaskState.DONE);
      assertThat(remote.entry("team/app:t" + i)).isPresent();
    }
    int probes = remote.batchProbes();
    assertThat(probes).as("attempts that started before the first 404 (2 per destination)").isBetween(1, 2);
    node.put("team/app:later", D1, true);
    node.awaitState("team/app:later", remote.address(), TaskState.DONE);
    assertThat(remote.batchProbes()).as("not asked again for %s", RemoteClient.BATCH_RECHECK).isEqualTo(probes);
    assertThat(remote.puts()).isEqualTo(6);
    assertThat(node.task("team/app:t0", remote.address()).orElseThrow().attempts()).as("the probe is not a failure").isEqualTo(1);
  }
}
