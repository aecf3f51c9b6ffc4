package io.buildindex.tagreplication;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one destination's attempts say about its health: since when it fails, how many attempts
 * failed since, its last error and last success; and the {@link HealthEvent}s of its changes, for
 * the log. Not thread-safe: guarded by the {@link Lanes} lock, like the breaker it reports on.
 *
 * <p>Design: an outage is one story per destination, not one line per task: its first failure,
 * the breaker opening, a {@link #SUMMARY_INTERVAL} summary while it lasts, the breaker closing and
 * the recovery. Events are queued here under the lock and logged by the caller after releasing it.
 * Only failures that blame the destination count ({@link FailureReason#destinationFault}): a 4xx
 * for one task says nothing about the remote.
 */
final class DestinationHealth {
  /** How often an outage that goes on is summarised in the log. */
  static final Duration SUMMARY_INTERVAL = Duration.ofMinutes(1);

  private final String destination;
  private final List<HealthEvent> events = new ArrayList<>();
  private @Nullable Instant failingSince;
  private int failures;
  private @Nullable Instant lastSuccess;
  private @Nullable String lastError;
  private Instant nextSummary = Instant.MAX;

  DestinationHealth(String destination) {
    this.destination = destination;
  }

  /** An attempt succeeded; {@code breakerClosed} when that closed an open breaker. */
  void succeeded(Instant now, boolean breakerClosed) {
    lastSuccess = now;
    if (breakerClosed) {
      events.add(new HealthEvent.BreakerClosed(destination, "an attempt succeeded"));
    }
    if (failingSince != null) {
      events.add(new HealthEvent.Recovered(destination, Duration.between(failingSince, now), failures));
      failingSince = null;
      failures = 0;
      nextSummary = Instant.MAX;
    }
  }

  /** An attempt failed in a way that blames the destination ({@code error} as {@code last_error}). */
  void failed(String error, Instant now) {
    lastError = error;
    failures++;
    if (failingSince == null) {
      failingSince = now;
      nextSummary = now.plus(SUMMARY_INTERVAL);
      events.add(new HealthEvent.Failing(destination, error));
    }
  }

  /** The breaker opened ({@code openings} in this outage, 1 for the first). */
  void breakerOpened(int openings, int consecutiveFailures, Instant openUntil) {
    events.add(new HealthEvent.BreakerOpened(destination, openings, consecutiveFailures, openUntil));
  }

  /** The breaker was closed other than by a success, {@code why} in words. */
  void breakerClosed(String why) {
    events.add(new HealthEvent.BreakerClosed(destination, why));
  }

  /** Queues the periodic summary if the destination is down and one is due at {@code now}. */
  void tick(Instant now, BreakerState breaker) {
    if (failingSince == null || now.isBefore(nextSummary)) {
      return;
    }
    events.add(new HealthEvent.StillFailing(destination, Duration.between(failingSince, now), failures, breaker,
        String.valueOf(lastError)));
    nextSummary = now.plus(SUMMARY_INTERVAL);
  }

  /** Removes and returns the events queued since the last call. */
  List<HealthEvent> drain() {
    if (events.isEmpty()) {
      return List.of();
    }
    List<HealthEvent> out = List.copyOf(events);
    events.clear();
    return out;
  }

  /** The status of the destination with {@code breaker}'s state at {@code now}; no tasks waiting (the caller counts them). */
  DestinationStatus status(DestinationBreaker breaker, Instant now) {
    BreakerState state = BreakerState.valueOf(breaker.state(now).name());
    return new DestinationStatus(destination, state, breaker.consecutiveFailures(),
        state == BreakerState.CLOSED ? null : breaker.openUntil(), 0, lastSuccess, lastError, failingSince);
  }
}
