package io.buildindex.tagreplication;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * The state of a destination's circuit breaker: {@code closed} (attempts run), {@code open} (no
 * attempt until its open time ends) or {@code half_open} (one probe may run). Lowercase on the wire.
 */
public enum BreakerState {
  CLOSED,
  OPEN,
  HALF_OPEN;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return wireName();
  }
}
