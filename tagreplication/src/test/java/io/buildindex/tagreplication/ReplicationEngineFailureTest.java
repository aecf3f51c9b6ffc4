package io.buildindex.tagreplication;

import static io.buildindex.tagreplication.SqliteTaskQueueTest.D1;
import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.testing.Poll;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An Error in a worker or a dead engine thread must neither strand tasks nor go unnoticed. */
final class ReplicationEngineFailureTest {
  private static final String TAG = "team/app:v1";

  @TempDir Path dir;
  private final Closer closer = new Closer();

  @AfterEach
  void closeAll() throws Exception {
    closer.close();
  }

  /** Throws an {@link OutOfMemoryError} on its first call, as buffering a huge answer would; then copies. */
  private static final class ExhaustedOnce implements BlobReplicator {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public Transfer replicate(BlobReplication request) {
      if (calls.incrementAndGet() == 1) {
        throw new OutOfMemoryError("test: Java heap space");
      }
      return new Transfer(1, java.time.Duration.ofMillis(1));
    }
  }

  @Test
  void errorInAnAttempt_failsTheTaskWhichIsRetried() {
    FakeRemote remote = closer.add(FakeRemote.start());
    ExhaustedOnce blobs = new ExhaustedOnce();
    TestNode node = closer.add(new TestNode(dir, Map.of(remote.address(), List.of("^team/")), TestNode.fastConfig(0), blobs));

    node.put(TAG, D1, true);

    TaskStatus done = node.awaitState(TAG, remote.address(), TaskState.DONE);
    assertThat(done.attempts()).as("the Error failed the first attempt, the retry succeeded").isEqualTo(2);
    assertThat(blobs.calls).hasValue(2);
    assertThat(node.metrics().counter(ReplicationMetrics.labeled("tagreplication_failures", "reason", "internal")).getCount())
        .isEqualTo(1);
    assertThat(node.replication().failure()).isEmpty();
  }

  @Test
  void deadDispatcher_isReportedByFailureAndTheGauge() {
    FakeRemote remote = closer.add(FakeRemote.start());
    TestNode node = closer.add(new TestNode(dir, Map.of(remote.address(), List.of("^team/"))));
    assertThat(node.replication().failure()).isEmpty();
    assertThat(node.metrics().getGauges().get(Replications.ENGINE_UP).getValue()).isEqualTo(1);

    // The one way left for the dispatcher thread to end: an interrupt (it catches every Throwable).
    List<Thread> dispatchers = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("replication-dispatcher") && t.isAlive()).toList();
    assertThat(dispatchers).hasSize(1);
    dispatchers.get(0).interrupt();

    Poll.until(Poll.DEADLINE, "failure reported", () -> node.replication().failure().isPresent(), () -> node.replication().failure());
    assertThat(node.replication().failure().orElseThrow()).contains("dispatcher");
    assertThat(node.metrics().getGauges().get(Replications.ENGINE_UP).getValue()).isEqualTo(0);
  }
}
