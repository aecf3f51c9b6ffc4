package io.buildindex.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.buildindex.tagreplication.DestinationStatus;
import io.buildindex.tagreplication.TaskStatus;
import io.buildindex.tagreplication.VerificationStatus;
import java.time.Instant;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** A replication task on the wire, snake_case as the status API documents it. */
@JsonInclude(JsonInclude.Include.ALWAYS)
record TaskJson(
    String tag,
    String destination,
    @Nullable String digest,
    String state,
    int attempts,
    @JsonProperty("last_error") @Nullable String lastError,
    @JsonProperty("next_attempt") @Nullable Instant nextAttempt,
    Instant updated,
    Instant enqueued,
    boolean superseded,
    boolean delete,
    boolean backfill,
    long generation,
    @JsonProperty("transfer_bytes") long transferBytes,
    @JsonProperty("transfer_bytes_per_second") long transferBytesPerSecond,
    @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String verification,
    @JsonProperty("verified_at") @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Instant verifiedAt,
    @JsonProperty("destination_health") @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable DestinationJson destinationHealth) {

  static TaskJson of(TaskStatus t) {
    return of(t, null, null);
  }

  /**
   * With what verification knows of the task's tag at its destination and the destination's
   * health (the per-tag status).
   */
  static TaskJson of(TaskStatus t, @Nullable VerificationStatus v, @Nullable DestinationStatus health) {
    return new TaskJson(t.tag().toString(), t.destination(), t.digest() == null ? null : t.digest().toString(),
        t.state().name().toLowerCase(Locale.ROOT), t.attempts(), t.lastError(), t.nextAttempt(), t.updated(),
        t.enqueued(), t.superseded(), t.delete(), t.backfill(), t.generation().value(), t.transfer().bytes(),
        t.transfer().bytesPerSecond(), v == null ? null : v.state(), v == null ? null : v.verifiedAt(),
        health == null ? null : DestinationJson.of(health));
  }
}
