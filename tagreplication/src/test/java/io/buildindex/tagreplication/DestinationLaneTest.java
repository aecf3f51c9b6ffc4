package io.buildindex.tagreplication;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.Tag;
import java.time.Duration;
import java.time.Instant;
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
    assertThat(lane.wanted(now)).isEqualTo(4);
  }

  @Test
  void start_neverMoreThanTheLimit() {
    lane.claimed(claim(4, Optional.empty()), 4, lane.wakes(), now, POLL);
    lane.claimed(claim(2, Optional.empty()), 2, lane.wakes(), now, POLL);
    for (int i = 0; i < 4; i++) {
      assertThat(lane.start(now)).isNotNull();
    }
    assertThat(lane.start(now)).isNull();
    lane.finished(TaskResult.DONE, now);
    assertThat(lane.start(now)).isNotNull();
  }

  @Test
  void claimed_shortClaimIdlesUntilNextDue() {
    Instant due = now.plusSeconds(7);
    lane.claimed(claim(0, Optional.of(due)), 4, lane.wakes(), now, POLL);
    assertThat(lane.wanted(now)).isZero();
    assertThat(lane.nextWake(now)).contains(due);
    assertThat(lane.wanted(due)).isEqualTo(4);
  }

  @Test
  void claimed_wakeDuringClaimKeepsLaneAwake() {
    long wakesAtClaim = lane.wakes();
    lane.wake(now);
    lane.claimed(claim(0, Optional.empty()), 4, wakesAtClaim, now, POLL);
    assertThat(lane.wanted(now)).isEqualTo(4);
  }

  @Test
  void wake_endsIdleEarly() {
    lane.claimed(claim(0, Optional.empty()), 4, lane.wakes(), now, POLL);
    assertThat(lane.nextWake(now)).contains(now.plus(POLL));
    assertThat(lane.wake(now.plusSeconds(1))).isTrue();
    assertThat(lane.wanted(now.plusSeconds(1))).isEqualTo(4);
  }

  @Test
  void finished_breakerOpeningReleasesClaimedTasksAndProbesAfterOpenTime() {
    lane.claimed(claim(4, Optional.empty()), 4, lane.wakes(), now, POLL);
    List<ClaimedTask> released = List.of();
    for (int i = 0; i < DestinationBreaker.FAILURES_TO_OPEN; i++) {
      lane.claimed(claim(1, Optional.empty()), 1, lane.wakes(), now, POLL);
      assertThat(lane.start(now)).isNotNull();
      released = lane.finished(new TaskResult.Failed(FailureReason.CONNECT, "refused"), now);
    }
    assertThat(released).isNotEmpty();
    assertThat(lane.wanted(now)).isZero();
    Instant open = now.plus(policy.initial());
    assertThat(lane.nextWake(now)).contains(open);
    assertThat(lane.nextWake(now).orElseThrow()).isBeforeOrEqualTo(now.plus(policy.max()));
    assertThat(lane.wanted(open)).as("one probe").isEqualTo(1);
  }
}
