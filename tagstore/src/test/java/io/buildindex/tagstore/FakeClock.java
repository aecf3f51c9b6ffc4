package io.buildindex.tagstore;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A wall clock tests set by hand, forwards or backwards (an NTP step). Thread-safe. */
final class FakeClock extends Clock {
  private volatile long millis;

  FakeClock(long millis) {
    this.millis = millis;
  }

  FakeClock() {
    this(Instant.parse("2025-01-01T00:00:00Z").toEpochMilli());
  }

  void setMillis(long millis) {
    this.millis = millis;
  }

  synchronized void advanceMillis(long delta) {
    millis += delta;
  }

  @Override
  public long millis() {
    return millis;
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
