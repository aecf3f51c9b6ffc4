package io.buildindex.tagreplication;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.Tag;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class DestinationLaneTest {
  private static final Duration POLL = Duration.ofSeconds(15);
  private final RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(30), Duration.ofMinutes(10), 0);
  private final DestinationLane lane = new DestinationLane("dc2:1", 4, new DestinationBreaker(policy));
  private Instant now = Instant.parse("2025-01-01T00:00:00Z");

  private static ClaimedTask task(long id) {
    return new ClaimedTask(id, 1, Tag.parse("a:" + id), "dc2:1", SqliteTaskQueueTest.D1, List.of(), new Generation(1), 0,
        TaskState.PENDING, Instant.EPOCH, Instant.EPOCH, Instant.EPOCH);
  }

  private static SqliteTaskClaims.Claim claim(int n, Optional<Instant> nextDue) {
    return new SqliteTaskClaims.Claim(java.util.stream.LongStream.range(0, n).mapToObj(DestinationLaneTest::task).toList(), nextDue);
  }

  @Test
  void wanted_upToTheLimitWhenIdle() {
    assertThat(lane.wanted(now, 1)).isEqualTo(4);
  }

  @Test
  void start_neverMoreThanTheLimit() {
    lane.claimed(claim(4, Optional.empty()), 4, lane.wakes(), now, POLL);
    lane.claimed(claim(2, Optional.empty()), 2, lane.wakes(), now, POLL);
    for (int i = 0; i < 4; i++) {
      assertThat(lane.start(now, 1)).hasSize(1);
    }
    assertThat(lane.start(now, 1)).isEmpty();
    lane.finished(List.of(TaskResult.DONE), now, now);
    assertThat(lane.start(now, 1)).hasSize(1);
  }

  @Test
  void finished_fullWindowGrows_thoughClaimsArriveJustInTime() {
    // A deep backlog: claims come as room frees and start at once, so no claimed task waits in the
    // lane when an answer arrives, yet the window is what limits the lane. 8 requests: a window that
    // starts at CongestionWindow.INITIAL with room to grow.
    DestinationLane lane = new DestinationLane("dc2:1", 8, new DestinationBreaker(policy));
    int window = lane.window();
    lane.claimed(claim(window, Optional.empty()), window, lane.wakes(), now, POLL);
    List<ClaimedTask> first = lane.start(now, WriteBatch.MAX_WRITES);
    while (!lane.start(now, WriteBatch.MAX_WRITES).isEmpty()) {
      // every claimed task in flight: the window is full
    }

    lane.finished(Collections.nCopies(first.size(), TaskResult.DONE), now, now.plusMillis(100));

    assertThat(lane.window()).isEqualTo(window + first.size());
  }

  @Test
  void finished_windowMostlyUnused_doesNotGrow() {
    int window = lane.window();
    lane.claimed(claim(1, Optional.empty()), 1, lane.wakes(), now, POLL);
    assertThat(lane.start(now, WriteBatch.MAX_WRITES)).hasSize(1);

    lane.finished(List.of(TaskResult.DONE), now, now.plusMillis(100));

    assertThat(lane.window()).isEqualTo(window);
  }

  @Test
  void claimed_shortClaimIdlesUntilNextDue() {
    Instant due = now.plusSeconds(7);
    lane.claimed(claim(0, Optional.of(due)), 4, lane.wakes(), now, POLL);
    assertThat(lane.wanted(now, 1)).isZero();
    assertThat(lane.nextWake(now)).contains(due);
    assertThat(lane.wanted(due, 1)).isEqualTo(4);
  }

  @Test
  void claimed_wakeDuringClaimKeepsLaneAwake() {
    long wakesAtClaim = lane.wakes();
    lane.wake(now);
    lane.claimed(claim(0, Optional.empty()), 4, wakesAtClaim, now, POLL);
    assertThat(lane.wanted(now, 1)).isEqualTo(4);
  }

  @Test
  void wake_endsIdleEarly() {
    lane.claimed(claim(0, Optional.empty()), 4, lane.wakes(), now, POLL);
    assertThat(lane.nextWake(now)).contains(now.plus(POLL));
    assertThat(lane.wake(now.plusSeconds(1))).isTrue();
    assertThat(lane.wanted(now.plusSeconds(1), 1)).isEqualTo(4);
  }

  @Test
  void finished_breakerOpeningReleasesClaimedTasksAndProbesAfterOpenTime() {
    lane.claimed(claim(4, Optional.empty()), 4, lane.wakes(), now, POLL);
    List<ClaimedTask> released = List.of();
    for (int i = 0; i < DestinationBreaker.FAILURES_TO_OPEN; i++) {
      lane.claimed(claim(1, Optional.empty()), 1, lane.wakes(), now, POLL);
      assertThat(lane.start(now, 1)).hasSize(1);
      released = lane.finished(List.of(new TaskResult.Failed(FailureReason.CONNECT, "refused")), now, now);
    }
    assertThat(released).isNotEmpty();
    assertThat(lane.wanted(now, 1)).isZero();
    Instant open = now.plus(policy.initial());
    assertThat(lane.nextWake(now)).contains(open);
    assertThat(lane.nextWake(now).orElseThrow()).isBeforeOrEqualTo(now.plus(policy.max()));
    assertThat(lane.wanted(open, 1)).as("one probe").isEqualTo(1);
  }

  @Test
  void wanted_enoughToFillTheLimitWithBatches() {
    assertThat(lane.wanted(now, 64)).isEqualTo(4 * 64);
    assertThat(lane.wanted(now, 1000)).as("capped by the window, or MAX_AHEAD while the window is smaller")
        .isEqualTo(Math.max(DestinationLane.MAX_AHEAD, CongestionWindow.INITIAL));
  }

  @Test
  void start_spreadsClaimedTasksOverFreeSlots() {
    lane.claimed(claim(10, Optional.empty()), 256, lane.wakes(), now, POLL);
    assertThat(lane.start(now, 64)).as("10 over 4 slots").hasSize(3);
    assertThat(lane.start(now, 64)).as("7 over 3").hasSize(3);
    assertThat(lane.start(now, 64)).as("4 over 2").hasSize(2);
    assertThat(lane.start(now, 64)).hasSize(2);
    assertThat(lane.start(now, 64)).as("limit reached").isEmpty();
    assertThat(lane.running()).isEqualTo(4);
  }

  @Test
  void start_neverMoreThanTheBatch() {
    lane.claimed(claim(300, Optional.empty()), 300, lane.wakes(), now, POLL);
    assertThat(lane.start(now, 64)).hasSize(64);
  }

  @Test
  void start_aLoneTaskGoesAtOnce() {
    lane.claimed(claim(1, Optional.empty()), 256, lane.wakes(), now, POLL);
    assertThat(lane.start(now, 64)).hasSize(1);
  }

  @Test
  void finished_aFailedBatchIsOneFailure() {
    lane.claimed(claim(64 * (DestinationBreaker.FAILURES_TO_OPEN - 1), Optional.empty()), 256, lane.wakes(), now, POLL);
    TaskResult refused = new TaskResult.Failed(FailureReason.CONNECT, "refused");
    for (int i = 0; i < DestinationBreaker.FAILURES_TO_OPEN - 1; i++) {
      List<ClaimedTask> batch = lane.start(now, 64);
      assertThat(lane.finished(batch.stream().map(t -> refused).toList(), now, now)).isEmpty();
    }
    assertThat(lane.wanted(now, 64)).as("breaker still closed after %d failed batches", DestinationBreaker.FAILURES_TO_OPEN - 1)
        .isPositive();
  }

  @Test
  void finished_oneDoneTaskInABatchClosesTheBreaker() {
    TaskResult refused = new TaskResult.Failed(FailureReason.CONNECT, "refused");
    for (int i = 0; i < DestinationBreaker.FAILURES_TO_OPEN - 1; i++) {
      lane.claimed(claim(1, Optional.empty()), 1, lane.wakes(), now, POLL);
      assertThat(lane.start(now, 64)).hasSize(1);
      lane.finished(List.of(refused), now, now);
    }
    lane.claimed(claim(8, Optional.empty()), 8, lane.wakes(), now, POLL);
    assertThat(lane.start(now, 64)).hasSize(2); // 8 claimed over 4 free slots
    assertThat(lane.finished(List.of(refused, TaskResult.DONE), now, now)).isEmpty();
    lane.drain();
    lane.claimed(claim(1, Optional.empty()), 1, lane.wakes(), now, POLL);
    assertThat(lane.start(now, 64)).hasSize(1);
    assertThat(lane.finished(List.of(refused), now, now)).as("the count started again").isEmpty();
    assertThat(lane.wanted(now, 1)).isPositive();
  }

  @Test
  void start_halfOpenProbesWithOneTask() {
    TaskResult refused = new TaskResult.Failed(FailureReason.CONNECT, "refused");
    for (int i = 0; i < DestinationBreaker.FAILURES_TO_OPEN; i++) {
      lane.claimed(claim(1, Optional.empty()), 1, lane.wakes(), now, POLL);
      lane.finished(List.of(lane.start(now, 64).stream().map(t -> refused).findFirst().orElseThrow()), now, now);
    }
    Instant open = now.plus(policy.initial());
    lane.claimed(claim(100, Optional.empty()), 100, lane.wakes(), open, POLL);
    assertThat(lane.start(open, 64)).hasSize(1);
    assertThat(lane.start(open, 64)).isEmpty();
  }

  /**
   * Connection failures (probes after the breaker opened, too) until they have shrunk the window to
   * its minimum; leaves the breaker open.
   */
  private void outage() {
    TaskResult refused = new TaskResult.Failed(FailureReason.CONNECT, "refused");
    for (int i = 0; i < 100 && lane.window() > CongestionWindow.MIN; i++) {
      lane.claimed(claim(1, Optional.empty()), 1, lane.wakes(), now, POLL);
      List<ClaimedTask> attempt = lane.start(now, 64);
      if (attempt.isEmpty()) {
        now = lane.nextWake(now).orElseThrow(); // open: wait for the probe
        continue;
      }
      lane.finished(List.of(refused), now, now);
      now = now.plusMillis(1); // each failure answers for a new round: each halves the window
    }
    lane.drain();
  }

  @Test
  void finished_probeThatClosesTheBreaker_restartsTheWindow() {
    outage();
    assertThat(lane.window()).isEqualTo(CongestionWindow.MIN);
    now = lane.nextWake(now).orElse(now);
    lane.claimed(claim(1, Optional.empty()), 1, lane.wakes(), now, POLL);
    assertThat(lane.start(now, 64)).as("the probe").hasSize(1);

    lane.finished(List.of(TaskResult.DONE), now, now.plusMillis(100));

    assertThat(lane.window()).isEqualTo(CongestionWindow.INITIAL);
  }

  @Test
  void closeBreaker_operatorsRetry_restartsTheWindow() {
    outage();
    assertThat(lane.window()).isEqualTo(CongestionWindow.MIN);

    lane.closeBreaker("retry");

    assertThat(lane.window()).isEqualTo(CongestionWindow.INITIAL);
  }
}
