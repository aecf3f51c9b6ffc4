package io.buildindex.tagreplication;

import java.time.Duration;
import java.time.Instant;

/** A change in a destination's health worth a log line; {@link DestinationHealthLog} writes them. */
sealed interface HealthEvent {
  String destination();

  /** The destination failed after being healthy (or at start-up): the first failure of an outage. */
  record Failing(String destination, String error) implements HealthEvent {}

  /** Its breaker opened; {@code openings} counts the openings of this outage (1 for the first). */
  record BreakerOpened(String destination, int openings, int consecutiveFailures, Instant openUntil)
      implements HealthEvent {}

  /** Its breaker closed, {@code why} in words. */
  record BreakerClosed(String destination, String why) implements HealthEvent {}

  /** The periodic summary while the destination stays down. */
  record StillFailing(String destination, Duration downFor, int failures, BreakerState breaker, String error)
      implements HealthEvent {}

  /** An attempt succeeded after the destination failed for {@code downFor}. */
  record Recovered(String destination, Duration downFor, int failures) implements HealthEvent {}
}
