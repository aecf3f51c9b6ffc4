package io.buildindex.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A UTC clock that stands still until a test moves it, forwards or backwards (an NTP step).
 * Thread-safe.
 */
public final class FakeClock extends Clock {
  /** Where a clock made without a start begins. */
  public static final Instant DEFAULT_START = Instant.parse("2025-01-01T00:00:00Z");

  private volatile Instant now;

  public FakeClock(Instant start) {
    this.now = start;
  }

  public FakeClock() {
    this(DEFAULT_START);
  }

  /** A clock at {@code epochMillis}. */
  public static FakeClock atMillis(long epochMillis) {
    return new FakeClock(Instant.ofEpochMilli(epochMillis));
  }

  public synchronized void advance(Duration d) {
    now = now.plus(d);
  }

  public void advanceMillis(long delta) {
    advance(Duration.ofMillis(delta));
  }

  public void set(Instant instant) {
    now = instant;
  }

  public void setMillis(long epochMillis) {
    set(Instant.ofEpochMilli(epochMillis));
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  /** This clock: tests compare instants, and the zone never matters to them. */
  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
