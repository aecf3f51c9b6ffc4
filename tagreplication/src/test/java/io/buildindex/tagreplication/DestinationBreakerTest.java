package io.buildindex.tagreplication;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

final class DestinationBreakerTest {
  private static final Duration MAX = Duration.ofMinutes(10);
  private final RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(30), MAX, 0);
  private final DestinationBreaker breaker = new DestinationBreaker(policy);
  private Instant now = Instant.parse("2025-01-01T00:00:00Z");

  private void failTimes(int n) {
    for (int i = 0; i < n; i++) {
      breaker.onFailure(FailureReason.CONNECT, now);
    }
  }

  @Test
  void capacity_closedUntilThreshold() {
    failTimes(DestinationBreaker.FAILURES_TO_OPEN - 1);
    assertThat(breaker.state(now)).isEqualTo(DestinationBreaker.State.CLOSED);
    assertThat(breaker.capacity(now, 4)).isEqualTo(4);
  }

  @Test
  void onFailure_opensForTheInitialRetryInterval() {
    failTimes(DestinationBreaker.FAILURES_TO_OPEN);
    assertThat(breaker.capacity(now, 4)).isZero();
    assertThat(breaker.openUntil()).isEqualTo(now.plus(policy.initial()));
  }

  @Test
  void halfOpen_probesWithOneTask() {
    failTimes(DestinationBreaker.FAILURES_TO_OPEN);
    now = breaker.openUntil();
    assertThat(breaker.state(now)).isEqualTo(DestinationBreaker.State.HALF_OPEN);
    assertThat(breaker.capacity(now, 4)).isEqualTo(1);
  }

  @Test
  void onSuccess_closes() {
    failTimes(DestinationBreaker.FAILURES_TO_OPEN);
    now = breaker.openUntil();
    breaker.onSuccess();
    assertThat(breaker.capacity(now, 4)).isEqualTo(4);
    failTimes(DestinationBreaker.FAILURES_TO_OPEN - 1);
    assertThat(breaker.capacity(now, 4)).isEqualTo(4);
  }

  @Test
  void failedProbe_reopensLongerButNeverBeyondMaxRetryInterval() {
    failTimes(DestinationBreaker.FAILURES_TO_OPEN);
    Duration previous = Duration.ZERO;
    for (int probe = 0; probe < 40; probe++) {
      Duration open = Duration.between(now, breaker.openUntil());
      assertThat(open).isGreaterThanOrEqualTo(previous).isLessThanOrEqualTo(MAX);
      assertThat(open).isEqualTo(policy.delay(probe + 1));
      previous = open;
      now = breaker.openUntil();
      assertThat(breaker.capacity(now, 4)).isEqualTo(1);
      assertThat(breaker.onFailure(FailureReason.TIMEOUT, now)).isTrue();
    }
    assertThat(previous).isEqualTo(MAX);
  }

  @Test
  void onFailure_whileOpenDoesNotExtend() {
    failTimes(DestinationBreaker.FAILURES_TO_OPEN);
    Instant until = breaker.openUntil();
    now = now.plusSeconds(10);
    assertThat(breaker.onFailure(FailureReason.CONNECT, now)).isFalse();
    assertThat(breaker.openUntil()).isEqualTo(until);
  }

  @Test
  void onFailure_taskFaultsDoNotCount() {
    for (int i = 0; i < 100; i++) {
      breaker.onFailure(FailureReason.HTTP_4XX, now);
      breaker.onFailure(FailureReason.PROTOCOL, now);
    }
    assertThat(breaker.state(now)).isEqualTo(DestinationBreaker.State.CLOSED);
  }
}
