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

/** A lane's attempts as health events: what {@link Lanes} logs for a destination. */
final class DestinationLaneHealthTest {
  private static final String DEST = "dc2:1";
  private static final TaskResult.Failed REFUSED = new TaskResult.Failed(FailureReason.CONNECT, "refused");
  private final RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(30), Duration.ofMinutes(10), 0);
  private final DestinationLane lane = new DestinationLane(DEST, 4, new DestinationBreaker(policy));
  private final Instant t0 = Instant.parse("2025-01-01T00:00:00Z");

  /** Claims, starts and finishes one attempt of one task with {@code result} at {@code at}. */
  private void attempt(TaskResult result, Instant at) {
    ClaimedTask task = new ClaimedTask(1, 1, Tag.parse("a:1"), DEST, SqliteTaskQueueTest.D1, List.of(), new Generation(1), 0,
        TaskState.PENDING, Instant.EPOCH, Instant.EPOCH, Instant.EPOCH);
    lane.claimed(new SqliteTaskClaims.Claim(List.of(task), Optional.empty()), 1, lane.wakes(), at, Duration.ofSeconds(15));
    assertThat(lane.start(at, 1)).hasSize(1);
    lane.finished(Collections.singletonList(result), at, at);
  }

  @Test
  void outage_failingOnce_breakerOpens_summary_closesAndRecovers() {
    for (int i = 0; i < DestinationBreaker.FAILURES_TO_OPEN; i++) {
      attempt(REFUSED, t0);
    }
    assertThat(lane.healthEvents(t0)).containsExactly(new HealthEvent.Failing(DEST, "connect: refused"),
        new HealthEvent.BreakerOpened(DEST, 1, DestinationBreaker.FAILURES_TO_OPEN, t0.plusSeconds(30)));

    Instant summary = t0.plus(DestinationHealth.SUMMARY_INTERVAL);
    assertThat(lane.healthEvents(summary)).containsExactly(new HealthEvent.StillFailing(DEST,
        DestinationHealth.SUMMARY_INTERVAL, DestinationBreaker.FAILURES_TO_OPEN, BreakerState.HALF_OPEN, "connect: refused"));

    attempt(TaskResult.DONE, summary.plusSeconds(30));
    assertThat(lane.healthEvents(summary.plusSeconds(30))).containsExactly(
        new HealthEvent.BreakerClosed(DEST, "an attempt succeeded"),
        new HealthEvent.Recovered(DEST, Duration.ofSeconds(90), DestinationBreaker.FAILURES_TO_OPEN));
  }

  @Test
  void closeBreaker_open_closedNowWithEvent() {
    for (int i = 0; i < DestinationBreaker.FAILURES_TO_OPEN; i++) {
      attempt(REFUSED, t0);
    }
    lane.healthEvents(t0);
    assertThat(lane.wanted(t0, 1)).as("open").isZero();

    lane.closeBreaker("retried");

    assertThat(lane.status(t0).state()).isEqualTo(BreakerState.CLOSED);
    assertThat(lane.wanted(t0, 1)).as("claims again at once").isPositive();
    assertThat(lane.healthEvents(t0)).containsExactly(new HealthEvent.BreakerClosed(DEST, "retried"));
  }

  @Test
  void closeBreaker_closed_noEvent() {
    lane.closeBreaker("retried");

    assertThat(lane.healthEvents(t0)).isEmpty();
  }

  @Test
  void taskFault_notADestinationFailure() {
    attempt(new TaskResult.Failed(FailureReason.HTTP_4XX, "400 bad tag"), t0);

    assertThat(lane.healthEvents(t0)).isEmpty();
    assertThat(lane.status(t0).failingSince()).isNull();
  }
}
