package io.buildindex.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.buildindex.tagreplication.DestinationStatus;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** A destination's health on the wire (breaker, failures, tasks waiting), snake_case as README documents it. */
@JsonInclude(JsonInclude.Include.ALWAYS)
record DestinationJson(
    String destination,
    String state,
    @JsonProperty("consecutive_failures") int consecutiveFailures,
    @JsonProperty("open_until") @Nullable Instant openUntil,
    @JsonProperty("tasks_waiting") long tasksWaiting,
    @JsonProperty("last_success") @Nullable Instant lastSuccess,
    @JsonProperty("last_error") @Nullable String lastError,
    @JsonProperty("failing_since") @Nullable Instant failingSince) {

  static DestinationJson of(DestinationStatus d) {
    return new DestinationJson(d.destination(), d.state().wireName(), d.consecutiveFailures(), d.openUntil(),
        d.tasksWaiting(), d.lastSuccess(), d.lastError(), d.failingSince());
  }
}
