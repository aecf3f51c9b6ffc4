package io.buildindex.tagreplication;

import static io.buildindex.tagreplication.SqliteTaskQueueTest.D1;
import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.Gauge;
import io.buildindex.testing.Poll;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A remote that pushes back (429, 503) or answers slowly, over real HTTP on 127.0.0.1: the
 * destination's congestion window shrinks, push-back does not open the breaker, and every task
 * still arrives once the remote recovers.
 */
final class ReplicationBackoffTest {
  @TempDir Path dir;
  private final Closer closer = new Closer();

  @AfterEach
  void closeAll() throws Exception {
    closer.close();
  }

  private FakeRemote remote() {
    return closer.add(FakeRemote.startBatching());
  }

  private TestNode node(FakeRemote remote) {
    return closer.add(new TestNode(dir, Map.of(remote.address(), List.of(".*"))));
  }

  /** A lane's first window: {@link CongestionWindow#INITIAL}, capped by the lane's maximum. */
  private static long initialWindow(TestNode node) {
    return Math.min(CongestionWindow.INITIAL, (long) node.config().maxConcurrencyPerDestination() * WriteBatch.MAX_WRITES);
  }

  private static long window(TestNode node, FakeRemote remote) {
    Gauge<?> g = node.metrics().getGauges().get(ReplicationMetrics.labeled("tagreplication_window", "destination", remote.address()));
    assertThat(g).as("tagreplication_window gauge of %s", remote.address()).isNotNull();
    return ((Number) g.getValue()).longValue();
  }

  private static long failures(TestNode node, FailureReason reason) {
    return node.metrics().counter(ReplicationMetrics.labeled("tagreplication_failures", "reason", reason.metricName())).getCount();
  }

  private static void awaitDone(TestNode node, int n) {
    Poll.until(Poll.DEADLINE, "all " + n + " tasks done", () -> node.metrics().counter("tagreplication.done").getCount() == n,
        () -> node.metrics().counter("tagreplication.done").getCount());
  }

  private static void awaitThrottled(TestNode node, long atLeast) {
    Poll.until(Poll.DEADLINE, atLeast + " throttled attempts", () -> failures(node, FailureReason.THROTTLED) >= atLeast,
        () -> failures(node, FailureReason.THROTTLED));
  }

  @Test
  void pushBack429_shrinksTheWindowWithoutOpeningTheBreaker() {
    FakeRemote remote = remote();
    remote.failWith(429);
    TestNode node = node(remote);
    long first = initialWindow(node);
    assertThat(window(node, remote)).isEqualTo(first);

    for (int i = 0; i < 20; i++) {
      node.put("team/app:t" + i, D1, true);
    }
    // More push-backs than it takes failures to open a breaker: each retry (20 ms, 200 ms at most) is pushed back.
    awaitThrottled(node, 3L * DestinationBreaker.FAILURES_TO_OPEN);

    assertThat(window(node, remote)).isLessThan(first);
    DestinationStatus health = node.replication().destinations().get(0);
    assertThat(health.state()).isEqualTo(BreakerState.CLOSED);
    assertThat(node.task("team/app:t0", remote.address()).orElseThrow().lastError()).startsWith("throttled: ");
    assertThat(failures(node, FailureReason.HTTP_5XX)).isZero();

    remote.failWith(0);
    awaitDone(node, 20);
  }

  @Test
  void pushBack503_isThrottledToo_andEveryTaskArrivesAfterwards() {
    FakeRemote remote = remote();
    remote.failWith(503);
    TestNode node = node(remote);
    for (int i = 0; i < 50; i++) {
      node.put("team/app:t" + i, D1, true);
    }
    awaitThrottled(node, 2L * DestinationBreaker.FAILURES_TO_OPEN);
    assertThat(node.replication().destinations().get(0).state()).isEqualTo(BreakerState.CLOSED);

    remote.failWith(0);
    awaitDone(node, 50);
    for (int i = 0; i < 50; i++) {
      assertThat(remote.entry("team/app:t" + i)).isPresent();
    }
  }

  @Test
  void hardFailures_stillOpenTheBreaker() {
    FakeRemote remote = remote();
    remote.failWith(500);
    TestNode node = node(remote);
    node.put("team/app:t0", D1, true);
    Poll.until(Poll.DEADLINE, "breaker open", () -> node.replication().destinations().get(0).state() != BreakerState.CLOSED,
        () -> node.replication().destinations());
    assertThat(window(node, remote)).isLessThan(initialWindow(node));
  }

  @Test
  void slowRemote_shrinksTheWindow_andTheBacklogStillDrains() {
    FakeRemote remote = remote();
    TestNode node = node(remote);
    node.put("team/app:first", D1, true);
    awaitDone(node, 1); // the window learns the link's latency from a fast answer

    // Answers now take far longer than the bound on latency the window tolerates.
    remote.delayBatches(CongestionWindow.RISE_SLACK.multipliedBy(4));
    int n = 300;
    for (int i = 0; i < n; i++) {
      node.put("team/app:t" + i, D1, true);
    }
    awaitDone(node, n + 1);

    assertThat(window(node, remote)).as("window after slow answers").isLessThan(initialWindow(node));
    assertThat(remote.batches()).as("the slow remote got smaller batches, so more of them").isGreaterThan(2);
  }

  @Test
  void fastRemote_deepBacklog_goesInLargeBatches() {
    FakeRemote remote = remote();
    remote.failWith(503);
    TestNode node = node(remote);
    int n = 3000;
    for (int i = 0; i < n; i++) {
      node.put("team/app:t" + i, D1, true);
    }
    awaitThrottled(node, 1);
    remote.failWith(0);
    awaitDone(node, n);
    assertThat(remote.batches()).as("requests for %d tasks", n).isLessThan(n / 64);
  }
}
