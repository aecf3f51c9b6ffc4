package io.buildindex.tagreplication;

import static io.buildindex.tagreplication.SqliteTaskQueueTest.D1;
import static io.buildindex.tagreplication.SqliteTaskQueueTest.D2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.InvalidInputException;
import io.buildindex.tagstore.PutResult;
import io.buildindex.tagstore.Tag;
import io.buildindex.testing.Poll;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end: a node with its database and workers replicating to fake remotes on 127.0.0.1. */
final class ReplicationTest {
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

  private FakeRemote remote() {
    return closing(FakeRemote.start());
  }

  private TestNode node(Map<String, List<String>> remotes) {
    return closing(new TestNode(dir, remotes));
  }

  private static Map<String, List<String>> rules(String remote, String... regexes) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put(remote, List.of(regexes));
    return m;
  }

  @Test
  void put_replicatesMatchingTagWithGenerationAndBlobs() {
    FakeRemote remote = remote();
    RecordingBlobReplicator blobs = new RecordingBlobReplicator();
    TestNode node = closing(new TestNode(dir, rules(remote.address(), "^team/"), TestNode.fastConfig(0), blobs));

    PutResult put = node.put(TAG, D1, true);

    TaskStatus done = node.awaitState(TAG, remote.address(), TaskState.DONE);
    assertThat(done.superseded()).isFalse();
    assertThat(done.attempts()).isEqualTo(1);
    assertThat(done.generation()).isEqualTo(put.current().generation());
    assertThat(done.transfer()).as("what the blob copy reported").isEqualTo(new Transfer(1234, java.time.Duration.ofMillis(10)));
    assertThat(done.transfer().bytesPerSecond()).isEqualTo(123_400);
    assertThat(remote.entry(TAG)).contains(new FakeRemote.Entry(D1.toString(), put.current().generation().value()));
    assertThat(blobs.requests()).singleElement().satisfies(r -> {
      assertThat(r.tag()).isEqualTo(Tag.parse(TAG));
      assertThat(r.dependencies()).containsExactly(D1);
      assertThat(r.remoteBuildIndex().toString()).isEqualTo(remote.address());
      assertThat(r.remoteOrigin()).isEqualTo("origin.dc2:15002");
    });
    // Counted once the result is recorded, just after the row shows it.
    Poll.until(Poll.DEADLINE, "tagreplication.done == 1", () -> node.metrics().counter("tagreplication.done").getCount() == 1,
        () -> node.metrics().counter("tagreplication.done").getCount());
  }

  @Test
  void put_taskCommitsWithTheTag() {
    FakeRemote remote = remote();
    remote.failWith(503);
    TestNode node = node(rules(remote.address(), "^team/"));
    node.put(TAG, D1, true);
    assertThat(node.task(TAG, remote.address())).as("visible as soon as the put returns").isPresent();
  }

  @Test
  void put_nonMatchingOrUnreplicatedCreatesNoTask() {
    FakeRemote remote = remote();
    TestNode node = node(rules(remote.address(), "^team/"));

    node.put("other/app:v1", D1, true);
    node.put(TAG, D1, false);

    assertThat(node.replication().status(Tag.parse("other/app:v1"))).isEmpty();
    assertThat(node.replication().status(Tag.parse(TAG))).isEmpty();
    assertThat(node.replication().match(Tag.parse("other/app:v1"))).isEmpty();
    assertThat(node.replication().match(Tag.parse(TAG))).containsExactly(new RuleMatch(remote.address(), "^team/"));
  }

  @Test
  void put_repointedTagReplicatesOverRemotesOlderDigest() {
    FakeRemote remote = remote();
    remote.seed(TAG, D1.toString(), 1);
    TestNode node = node(rules(remote.address(), ".*"));

    node.put(TAG, D2, true);

    node.awaitState(TAG, remote.address(), TaskState.DONE);
    assertThat(remote.entry(TAG).orElseThrow().digest()).isEqualTo(D2.toString());
  }

  @Test
  void put_remoteAlreadyHasIt_noWrite() {
    FakeRemote remote = remote();
    TestNode node = node(rules(remote.address(), ".*"));
    PutResult put = node.put(TAG, D1, false);
    remote.seed(TAG, D1.toString(), put.current().generation().value());

    node.replication().enqueue(put.current(), List.of(D1), Duration.ZERO);

    assertThat(node.awaitState(TAG, remote.address(), TaskState.DONE).superseded()).isFalse();
    assertThat(remote.puts()).isZero();
  }

  @Test
  void put_remoteHoldsNewerGeneration_doneAsSuperseded() {
    FakeRemote remote = remote();
    long newer = Generation.of(Instant.now().plus(Duration.ofDays(1)).toEpochMilli(), 0).value();
    remote.seed(TAG, D2.toString(), newer);
    RecordingBlobReplicator blobs = new RecordingBlobReplicator();
    TestNode node = closing(new TestNode(dir, rules(remote.address(), ".*"), TestNode.fastConfig(0), blobs));

    node.put(TAG, D1, true);

    assertThat(node.awaitState(TAG, remote.address(), TaskState.DONE).superseded()).isTrue();
    assertThat(remote.entry(TAG)).contains(new FakeRemote.Entry(D2.toString(), newer));
    assertThat(remote.puts()).isZero();
    assertThat(blobs.requests()).isEmpty();
    Poll.until(Poll.DEADLINE, "tagreplication.superseded == 1", () -> node.metrics().counter("tagreplication.superseded").getCount() == 1,
        () -> node.metrics().counter("tagreplication.superseded").getCount());
  }

  @Test
  void remoteDown_retriesWithBackoffThenSucceeds() {
    int port = FakeRemote.closedPort();
    String destination = "127.0.0.1:" + port;
    TestNode node = node(rules(destination, ".*"));

    node.put(TAG, D1, true);

    Poll.until(Poll.DEADLINE, "two failed attempts", () -> node.task(TAG, destination)
        .map(t -> t.state() == TaskState.FAILED && t.attempts() >= 2).orElse(false), () -> node.task(TAG, destination));
    TaskStatus failed = node.task(TAG, destination).orElseThrow();
    assertThat(failed.lastError()).startsWith("connect: ");
    String connectFailures = ReplicationMetrics.labeled("tagreplication_failures", "reason", "connect");
    Poll.until(Poll.DEADLINE, "two connect failures counted", () -> node.metrics().counter(connectFailures).getCount() >= 2,
        () -> node.metrics().counter(connectFailures).getCount());

    FakeRemote remote = closing(FakeRemote.startOn(port));
    node.awaitState(TAG, destination, TaskState.DONE);
    assertThat(remote.entry(TAG).orElseThrow().digest()).isEqualTo(D1.toString());
  }

  @Test
  void maxAttempts_deadThenManualRetry() {
    FakeRemote remote = remote();
    remote.failWith(500);
    TestNode node = closing(new TestNode(dir, rules(remote.address(), ".*"), TestNode.fastConfig(2), BlobReplicator.NONE));

    node.put(TAG, D1, true);

    TaskStatus dead = node.awaitState(TAG, remote.address(), TaskState.DEAD);
    assertThat(dead.attempts()).isEqualTo(2);
    assertThat(dead.lastError()).startsWith("http_5xx: ").contains("500");
    assertThat(dead.nextAttempt()).isNull();

    remote.failWith(0);
    assertThat(node.replication().retry(TaskFilter.state(TaskState.DEAD))).isEqualTo(1);
    node.awaitState(TAG, remote.address(), TaskState.DONE);
    assertThat(remote.entry(TAG)).isPresent();
  }

  @Test
  void retry_rejectsStatesThatCannotBeRetried() {
    TestNode node = node(rules("127.0.0.1:1", ".*"));
    assertThatThrownBy(() -> node.replication().retry(TaskFilter.state(TaskState.DONE)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("done");
  }

  @Test
  void newerWrite_replacesQueuedTask() {
    FakeRemote remote = remote();
    TestNode node = node(rules(remote.address(), ".*"));
    PutResult first = node.put(TAG, D1, false);
    node.replication().enqueue(first.current(), List.of(D1), Duration.ofHours(1));
    assertThat(node.task(TAG, remote.address()).orElseThrow().state()).isEqualTo(TaskState.PENDING);

    PutResult second = node.put(TAG, D2, true);

    TaskStatus done = node.awaitState(TAG, remote.address(), TaskState.DONE);
    assertThat(done.digest()).isEqualTo(D2);
    assertThat(done.generation()).isEqualTo(second.current().generation());
    assertThat(remote.puts()).as("the replaced task never ran").isEqualTo(1);
    assertThat(remote.entry(TAG).orElseThrow().digest()).isEqualTo(D2.toString());
  }

  @Test
  void newerWrite_whileOlderRuns_runsAfterIt() {
    FakeRemote remote = remote();
    TestNode node = node(rules(remote.address(), ".*"));
    remote.holdGets();
    node.put(TAG, D1, true);
    Poll.until(Poll.DEADLINE, "the first attempt to reach the remote", () -> remote.gets() >= 1);

    PutResult second = node.put(TAG, D2, true);
    TaskStatus replaced = node.task(TAG, remote.address()).orElseThrow();
    assertThat(replaced.state()).isEqualTo(TaskState.RUNNING);
    assertThat(replaced.digest()).isEqualTo(D2);
    remote.releaseGets();

    TaskStatus done = node.awaitState(TAG, remote.address(), TaskState.DONE);
    assertThat(done.generation()).isEqualTo(second.current().generation());
    assertThat(remote.entry(TAG)).contains(new FakeRemote.Entry(D2.toString(), second.current().generation().value()));
  }

  @Test
  void concurrentRewrites_remoteConvergesToLocalState() throws Exception {
    FakeRemote remote = remote();
    TestNode node = node(rules(remote.address(), ".*"));
    List<String> tags = java.util.stream.IntStream.range(0, 20).mapToObj(i -> "team/app:" + i).toList();
    java.util.concurrent.ExecutorService writers = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        futures.add(writers.submit(() -> {
          for (int round = 0; round < 10; round++) {
            for (String tag : tags) {
              if ((round + writer) % 7 == 6) {
                node.delete(tag);
              } else {
                node.put(tag, SqliteTaskQueueTest.digest((char) ('1' + (round + writer) % 9)), true);
              }
            }
          }
        }));
      }
      for (java.util.concurrent.Future<?> f : futures) {
        f.get();
      }
    } finally {
      writers.shutdown();
    }

    Poll.until(Poll.DEADLINE, "the remote holding every tag's local state", () -> tags.stream().allMatch(tag -> {
      io.buildindex.tagstore.TagRecord local = node.tags().record(Tag.parse(tag)).orElseThrow();
      FakeRemote.Entry want = new FakeRemote.Entry(local.digest() == null ? null : local.digest().toString(),
          local.generation().value());
      return remote.entry(tag).map(want::equals).orElse(false);
    }), () -> tags.stream().map(t -> t + "=" + remote.entry(t) + " vs " + node.tags().record(Tag.parse(t))).toList());
    Poll.until(Poll.DEADLINE, "every task done", () -> tags.stream()
        .allMatch(t -> node.task(t, remote.address()).map(s -> s.state() == TaskState.DONE).orElse(false)));
  }

  @Test
  void delete_replicatesTombstone() {
    FakeRemote remote = remote();
    TestNode node = node(rules(remote.address(), ".*"));
    node.put(TAG, D1, true);
    node.awaitState(TAG, remote.address(), TaskState.DONE);

    PutResult deleted = node.delete(TAG);

    Poll.until(Poll.DEADLINE, "the tombstone on the remote", () -> remote.entry(TAG).map(e -> e.digest() == null).orElse(false));
    TaskStatus done = node.awaitState(TAG, remote.address(), TaskState.DONE);
    assertThat(done.delete()).isTrue();
    assertThat(remote.entry(TAG)).contains(new FakeRemote.Entry(null, deleted.current().generation().value()));
    assertThat(remote.deletes()).isEqualTo(1);
  }

  @Test
  void slowRemote_doesNotStallOthers() {
    FakeRemote slow = remote();
    FakeRemote fast = remote();
    Map<String, List<String>> remotes = rules(slow.address(), ".*");
    remotes.put(fast.address(), List.of(".*"));
    TestNode node = node(remotes);
    slow.holdGets();

    for (int i = 0; i < 20; i++) {
      node.put("team/app:" + i, D1, true);
    }

    Poll.until(Poll.DEADLINE, "every tag on the fast remote", () -> fast.size() == 20, fast::size);
    assertThat(slow.size()).isZero();
    slow.releaseGets();
    Poll.until(Poll.DEADLINE, "every tag on the slow remote", () -> slow.size() == 20, slow::size);
  }

  @Test
  void ruleRemoved_cancelsWaitingTasksAtStart() {
    String gone = "127.0.0.1:" + FakeRemote.closedPort();
    String kept = "127.0.0.1:" + FakeRemote.closedPort();
    Map<String, List<String>> remotes = rules(gone, ".*");
    remotes.put(kept, List.of("^team/", "^other/"));
    TestNode node = node(remotes);
    node.put(TAG, D1, true);
    node.put("other/app:1", D1, true);

    node.restart(rules(kept, "^other/"));

    TaskStatus removedRemote = node.task(TAG, gone).orElseThrow();
    assertThat(removedRemote.state()).isEqualTo(TaskState.DEAD);
    assertThat(removedRemote.lastError()).startsWith("cancelled: ").contains("removed from the configuration");
    TaskStatus removedRule = node.task(TAG, kept).orElseThrow();
    assertThat(removedRule.state()).isEqualTo(TaskState.DEAD);
    assertThat(removedRule.lastError()).contains("no rule");
    assertThat(node.task("other/app:1", kept).orElseThrow().state()).isIn(TaskState.PENDING, TaskState.FAILED, TaskState.RUNNING);
    assertThat(node.replication().retry(TaskFilter.state(TaskState.DEAD))).isZero();
  }

  @Test
  void restart_resumesUnfinishedTasks() {
    int port = FakeRemote.closedPort();
    String destination = "127.0.0.1:" + port;
    TestNode node = node(rules(destination, ".*"));
    node.put(TAG, D1, true);
    Poll.until(Poll.DEADLINE, "a failed attempt", () -> node.task(TAG, destination).map(t -> t.attempts() >= 1).orElse(false));

    node.restart(rules(destination, ".*"));
    FakeRemote remote = closing(FakeRemote.startOn(port));

    node.awaitState(TAG, destination, TaskState.DONE);
    assertThat(remote.entry(TAG)).isPresent();
  }

  @Test
  void backfill_enqueuesExistingMatchingLiveTagsOnce() {
    FakeRemote remote = remote();
    TestNode node = node(Map.of());
    node.put("team/a:1", D1, false);
    node.put("team/b:1", D1, false);
    node.put("team/c:1", D2, false);
    node.put("team/deleted:1", D1, false);
    node.delete("team/deleted:1");
    node.put("other/x:1", D1, false);

    node.restart(rules(remote.address(), "^team/"));

    Poll.until(Poll.DEADLINE, "backfill done", () -> node.replication().backfill().stream().allMatch(BackfillProgress::done),
        () -> node.replication().backfill());
    BackfillProgress progress = node.replication().backfill().get(0);
    assertThat(progress.remote()).isEqualTo(remote.address());
    assertThat(progress.rule()).isEqualTo("^team/");
    assertThat(progress.state()).isEqualTo(BackfillProgress.DONE);
    assertThat(progress.enqueued()).isEqualTo(3);
    Poll.until(Poll.DEADLINE, "backfilled tags on the remote", () -> remote.size() == 3, remote::size);
    assertThat(node.awaitState("team/a:1", remote.address(), TaskState.DONE).backfill()).isTrue();
    assertThat(remote.entry("team/deleted:1")).isEmpty();

    node.restart(rules(remote.address(), "^team/"));
    assertThat(node.replication().backfill()).singleElement().satisfies(p -> assertThat(p.enqueued()).isEqualTo(3));
    assertThat(node.replication().tasks(TaskFilter.state(TaskState.PENDING), 10, null).tasks()).isEmpty();
  }

  @Test
  void tasks_pagesWithOpaqueOffsets() {
    TestNode node = node(rules("127.0.0.1:" + FakeRemote.closedPort(), ".*"));
    for (int i = 0; i < 5; i++) {
      node.put("team/app:" + i, D1, true);
    }
    List<String> seen = new ArrayList<>();
    String offset = null;
    int pages = 0;
    do {
      TaskPage page = node.replication().tasks(TaskFilter.all(), 2, offset);
      page.tasks().forEach(t -> seen.add(t.tag().name()));
      offset = page.nextOffset();
      pages++;
    } while (offset != null);
    assertThat(seen).containsExactly("0", "1", "2", "3", "4");
    assertThat(pages).isEqualTo(3);
  }

  @Test
  void tasks_badArguments() {
    TestNode node = node(rules("127.0.0.1:1", ".*"));
    assertThatThrownBy(() -> node.replication().tasks(TaskFilter.all(), 0, null))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("limit");
    assertThatThrownBy(() -> node.replication().tasks(TaskFilter.all(), 10, "garbage!"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("offset");
  }

  @Test
  void metrics_queueGaugesPerDestinationAndState() {
    FakeRemote remote = remote();
    TestNode node = node(rules(remote.address(), ".*"));
    node.put(TAG, D1, true);
    node.awaitState(TAG, remote.address(), TaskState.DONE);
    String name = ReplicationMetrics.labeled("tagreplication_queue", "state", "done", "destination", remote.address());
    Poll.until(Poll.DEADLINE, "gauge " + name, () -> Long.valueOf(1).equals(node.metrics().getGauges().get(name).getValue()),
        () -> node.metrics().getGauges().get(name).getValue());
    // The lag is recorded just after the result's commit, which the state and gauge already show.
    Poll.until(Poll.DEADLINE, "replication_lag recorded",
        () -> node.metrics().getTimers().get("tagreplication.replication_lag").getCount() > 0,
        () -> node.metrics().getTimers().get("tagreplication.replication_lag").getCount());
    assertThat(node.metrics().getTimers().get("tagreplication.replication_lag").getCount()).isEqualTo(1);
  }
}
