package io.buildindex.tagreplication;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Progress of the backfill of one remote rule: existing tags matching {@code rule} are enqueued for
 * {@code remote}, in key order, once per (remote, rule) pair.
 *
 * @param state {@code pending} (nothing scanned yet), {@code running} or {@code done}
 * @param cursor the last tag key scanned; null before the first
 * @param enqueued tasks enqueued so far
 */
public record BackfillProgress(
    String remote,
    String rule,
    String state,
    @Nullable String cursor,
    long enqueued,
    boolean done,
    Instant started,
    Instant updated) {
  public static final String PENDING = "pending";
  public static final String RUNNING = "running";
  public static final String DONE = "done";

  public BackfillProgress {
    if (enqueued < 0) {
      throw new IllegalArgumentException("enqueued < 0: " + enqueued);
    }
  }
}
