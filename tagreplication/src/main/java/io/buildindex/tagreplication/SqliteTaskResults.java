package io.buildindex.tagreplication;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Records how claimed tasks ended: done, failed (scheduled by the {@link RetryPolicy}, or dead when
 * out of attempts) or released unattempted, each only if the row is still this node's claim (same
 * version, running, under this node's lease). Runs inside the caller's write transaction, from the
 * one thread of the {@link ResultWriter}, which alone uses the random generator.
 */
final class SqliteTaskResults {
  private static final String TABLE = TaskRows.TABLE;
  /** The row is still the one this node claimed: same version, still running under this node's lease. */
  private static final String IF_CLAIMED = " WHERE id = ? AND version = ? AND state = 'running' AND lease_owner = ?";
  /** A finished row leaves the lease behind. */
  private static final String NO_LEASE = "lease_owner = NULL, lease_until_ms = NULL, ";
  /*
   * Rows in one order, whatever order the results came in: enqueues lock a tag's rows by
   * destination too, so two transactions never wait for each other's rows in a cycle (PostgreSQL).
   */
  private static final Comparator<Finished> ROW_ORDER = Comparator
      .<Finished, String>comparing(f -> f.task().tag().toString()).thenComparing(f -> f.task().destination());

  private final OpStatements statements = new OpStatements();
  private final RetryPolicy policy;
  private final RandomGenerator random;
  private final String owner;

  /** {@code owner}: this node's lease owner ({@link Lease#owner}). */
  SqliteTaskResults(RetryPolicy policy, RandomGenerator random, String owner) {
    this.policy = policy;
    this.random = random;
    this.owner = owner;
  }

  /** As the {@link Lease#LOCAL} node. */
  SqliteTaskResults(RetryPolicy policy, RandomGenerator random) {
    this(policy, random, Lease.LOCAL);
  }

  /**
   * What a batch of results did: {@code recorded} are the results now in their rows (not those a
   * newer write overtook), {@code wakes} when the rows it left waiting are due.
   */
  record Outcome(List<Finished> recorded, List<DestinationDue> wakes) {}

  /**
   * Applies every result. Failed tasks wait for their retry and released ones for their old due
   * time; rows a newer write replaced while the older task ran are due at once (they are pending
   * again, so the newer work runs next).
   */
  Outcome finish(Connection tx, List<Finished> results) throws SQLException {
    List<Finished> recorded = new ArrayList<>(results.size());
    List<DestinationDue> wakes = new ArrayList<>();
    for (Finished f : results.stream().sorted(ROW_ORDER).toList()) {
      Instant due = nextDue(f);
      if (apply(tx, f, due)) {
        recorded.add(f);
        if (due != null) {
          wakes.add(new DestinationDue(f.task().destination(), due));
        }
      } else if (requeue(tx, f)) {
        wakes.add(new DestinationDue(f.task().destination(), f.at()));
      }
    }
    return new Outcome(recorded, wakes);
  }

  /** When the row waits until after {@code f}; null when it stops waiting (done or dead). */
  private @Nullable Instant nextDue(Finished f) {
    return switch (f.result()) {
      case TaskResult.Done d -> null;
      case TaskResult.Released r -> f.task().priorDue();
      case TaskResult.Failed failed -> {
        int attempts = f.task().attempts() + 1;
        yield policy.exhausted(attempts) ? null : f.at().plus(policy.delay(attempts, random.nextDouble()));
      }
    };
  }

  /** The row's new state, compare-and-set on the claimed version; false when a newer write replaced it. */
  private boolean apply(Connection tx, Finished f, @Nullable Instant due) throws SQLException {
    return switch (f.result()) {
      case TaskResult.Done d -> done(tx, f, d);
      case TaskResult.Failed failed -> fail(tx, f, failed, due);
      case TaskResult.Released r -> release(tx, f);
    };
  }

  private boolean done(Connection tx, Finished f, TaskResult.Done done) throws SQLException {
    PreparedStatement s = statements.get(tx, "UPDATE " + TABLE + " SET state = 'done', next_attempt_ms = NULL, " + NO_LEASE
        + "attempts = attempts + 1, superseded = ?, transfer_bytes = ?, transfer_millis = ?, last_error = NULL, "
        + "error_reason = NULL, updated_ms = ?" + IF_CLAIMED);
    s.setInt(1, done.superseded() ? 1 : 0);
    s.setLong(2, done.transfer().bytes());
    s.setLong(3, done.transfer().duration().toMillis());
    return casUpdate(s, 4, f);
  }

  /** A failed attempt: retried at {@code retryAt}, or dead when that is null. */
  private boolean fail(Connection tx, Finished f, TaskResult.Failed failed, @Nullable Instant retryAt)
      throws SQLException {
    PreparedStatement s = statements.get(tx, "UPDATE " + TABLE + " SET state = ?, next_attempt_ms = ?, " + NO_LEASE
        + "attempts = attempts + 1, last_error = ?, error_reason = ?, updated_ms = ?" + IF_CLAIMED);
    s.setString(1, (retryAt == null ? TaskState.DEAD : TaskState.FAILED).wireName());
    TaskRows.setNullableInstant(s, 2, retryAt);
    s.setString(3, failed.lastError());
    s.setString(4, failed.reason().metricName());
    return casUpdate(s, 5, f);
  }

  private boolean release(Connection tx, Finished f) throws SQLException {
    PreparedStatement s = statements.get(tx,
        "UPDATE " + TABLE + " SET state = ?, next_attempt_ms = ?, " + NO_LEASE + "updated_ms = ?" + IF_CLAIMED);
    s.setString(1, f.task().priorState().wireName());
    s.setLong(2, f.task().priorDue().toEpochMilli());
    return casUpdate(s, 3, f);
  }

  /** Binds {@code updated_ms} at {@code index}, then the {@link #IF_CLAIMED} parameters, and runs. */
  private boolean casUpdate(PreparedStatement s, int index, Finished f) throws SQLException {
    s.setLong(index, f.at().toEpochMilli());
    s.setLong(index + 1, f.task().id());
    s.setLong(index + 2, f.task().version());
    s.setString(index + 3, owner);
    return s.executeUpdate() == 1;
  }

  /* Only while this node still holds the row: once its lease ran out, another node may be running it. */
  private boolean requeue(Connection tx, Finished f) throws SQLException {
    PreparedStatement s = statements.get(tx, "UPDATE " + TABLE + " SET state = 'pending', next_attempt_ms = ?, "
        + NO_LEASE + "updated_ms = ? WHERE id = ? AND state = 'running' AND lease_owner = ?");
    s.setLong(1, f.at().toEpochMilli());
    s.setLong(2, f.at().toEpochMilli());
    s.setLong(3, f.task().id());
    s.setString(4, owner);
    return s.executeUpdate() == 1;
  }
}
