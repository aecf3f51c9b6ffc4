package io.buildindex.tagreplication;

import io.buildindex.config.GoDurations;
import io.buildindex.database.LocalDb;
import io.buildindex.database.StoreUnavailableException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Writes {@link HealthEvent}s as log lines, at WARN for an outage's start, its summaries and the
 * breaker's changes, INFO for the recovery; the breaker opening again after a failed probe is
 * DEBUG, as the summaries cover it. Each line carries the destination (and where it applies the
 * error, failures and tasks waiting) as SLF4J key-values too, for structured (JSON) logs.
 * Thread-safe.
 */
final class DestinationHealthLog {
  private static final Logger log = LoggerFactory.getLogger(DestinationHealthLog.class);

  private final LocalDb db;
  private final TaskQueries queries = new TaskQueries();

  DestinationHealthLog(LocalDb db) {
    this.db = db;
  }

  void log(HealthEvent event) {
    switch (event) {
      case HealthEvent.Failing e -> {
        long waiting = waiting(e.destination());
        at(Level.WARN, e).addKeyValue("error", e.error()).addKeyValue("tasks_waiting", waiting)
            .log("replication to {} is failing: {}; {} tasks waiting", e.destination(), e.error(), waiting);
      }
      case HealthEvent.BreakerOpened e -> at(e.openings() == 1 ? Level.WARN : Level.DEBUG, e)
          .addKeyValue("breaker", BreakerState.OPEN).addKeyValue("open_until", e.openUntil())
          .log("circuit breaker of {} opened after {} consecutive failures: no attempt until {}, then one probe",
              e.destination(), e.consecutiveFailures(), e.openUntil());
      case HealthEvent.BreakerClosed e -> at(Level.WARN, e).addKeyValue("breaker", BreakerState.CLOSED)
          .log("circuit breaker of {} closed: {}", e.destination(), e.why());
      case HealthEvent.StillFailing e -> {
        long waiting = waiting(e.destination());
        at(Level.WARN, e).addKeyValue("error", e.error()).addKeyValue("tasks_waiting", waiting)
            .addKeyValue("failures", e.failures()).addKeyValue("down_seconds", e.downFor().toSeconds())
            .addKeyValue("breaker", e.breaker())
            .log("replication to {} still failing after {}: {} failed attempts, {} tasks waiting, breaker {}; last error: {}",
                e.destination(), format(e.downFor()), e.failures(), waiting, e.breaker(), e.error());
      }
      case HealthEvent.Recovered e -> at(Level.INFO, e).addKeyValue("failures", e.failures())
          .addKeyValue("down_seconds", e.downFor().toSeconds())
          .log("replication to {} recovered after {} down ({} failed attempts)", e.destination(),
              format(e.downFor()), e.failures());
    }
  }

  private static LoggingEventBuilder at(Level level, HealthEvent e) {
    return log.atLevel(level).addKeyValue("destination", e.destination());
  }

  /* A database read per line, at most one per destination a minute in an outage: cheap enough. */
  private long waiting(String destination) {
    try {
      return db.read(c -> queries.waiting(c, destination));
    } catch (StoreUnavailableException e) {
      return -1; // the store's own checks report it; the line still tells of the outage
    }
  }

  private static String format(Duration d) {
    return GoDurations.format(d.truncatedTo(d.toSeconds() == 0 ? ChronoUnit.MILLIS : ChronoUnit.SECONDS));
  }
}
