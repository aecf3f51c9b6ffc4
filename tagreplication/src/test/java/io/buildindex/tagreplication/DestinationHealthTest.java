package io.buildindex.tagreplication;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

final class DestinationHealthTest {
  private static final String DEST = "dc2:15004";
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private final DestinationHealth health = new DestinationHealth(DEST);
  private final DestinationBreaker breaker = new DestinationBreaker(new RetryPolicy(Duration.ofSeconds(30),
      Duration.ofMinutes(10), 0));

  @Test
  void failed_manyTimes_oneFailingEvent() {
    for (int i = 0; i < 20; i++) {
      health.failed("connect: refused", T0.plusSeconds(i));
    }

    assertThat(health.drain()).containsExactly(new HealthEvent.Failing(DEST, "connect: refused"));
  }

  @Test
  void tick_summarisesEveryIntervalWhileDown() {
    health.failed("connect: refused", T0);
    health.drain();
    Instant due = T0.plus(DestinationHealth.SUMMARY_INTERVAL);

    health.tick(due.minusMillis(1), BreakerState.OPEN);
    assertThat(health.drain()).isEmpty();
    health.failed("timeout: read", due.minusMillis(1));
    health.tick(due, BreakerState.OPEN);
    assertThat(health.drain()).containsExactly(
        new HealthEvent.StillFailing(DEST, DestinationHealth.SUMMARY_INTERVAL, 2, BreakerState.OPEN, "timeout: read"));
    health.tick(due.plusSeconds(30), BreakerState.OPEN);
    assertThat(health.drain()).as("one summary per interval").isEmpty();
    health.tick(due.plus(DestinationHealth.SUMMARY_INTERVAL), BreakerState.HALF_OPEN);
    assertThat(health.drain()).hasSize(1);
  }

  @Test
  void tick_healthy_nothing() {
    health.succeeded(T0, false);
    health.tick(T0.plus(Duration.ofHours(1)), BreakerState.CLOSED);

    assertThat(health.drain()).isEmpty();
  }

  @Test
  void succeeded_afterFailures_recoveredWithDowntime_thenNoMoreSummaries() {
    health.failed("http_5xx: 503", T0);
    health.failed("http_5xx: 503", T0.plusSeconds(10));
    health.drain();

    health.succeeded(T0.plusSeconds(90), true);

    assertThat(health.drain()).containsExactly(new HealthEvent.BreakerClosed(DEST, "an attempt succeeded"),
        new HealthEvent.Recovered(DEST, Duration.ofSeconds(90), 2));
    health.tick(T0.plus(Duration.ofHours(1)), BreakerState.CLOSED);
    assertThat(health.drain()).isEmpty();
  }

  @Test
  void status_reportsBreakerAndLastOutcomes() {
    health.succeeded(T0, false);
    for (int i = 0; i < DestinationBreaker.FAILURES_TO_OPEN; i++) {
      health.failed("connect: refused", T0.plusSeconds(1));
      breaker.onFailure(FailureReason.CONNECT, T0.plusSeconds(1));
    }

    DestinationStatus open = health.status(breaker, T0.plusSeconds(2));

    assertThat(open).isEqualTo(new DestinationStatus(DEST, BreakerState.OPEN, DestinationBreaker.FAILURES_TO_OPEN,
        T0.plusSeconds(31), 0, T0, "connect: refused", T0.plusSeconds(1)));
    assertThat(health.status(breaker, T0.plusSeconds(31)).state()).isEqualTo(BreakerState.HALF_OPEN);
    breaker.close();
    assertThat(health.status(breaker, T0.plusSeconds(3)).openUntil()).as("closed: no open time").isNull();
  }
}
