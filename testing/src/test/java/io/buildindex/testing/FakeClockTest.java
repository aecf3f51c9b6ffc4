package io.buildindex.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

final class FakeClockTest {
  @Test
  void standsStill_untilMoved() {
    FakeClock clock = new FakeClock();

    assertThat(clock.instant()).isEqualTo(FakeClock.DEFAULT_START).isEqualTo(clock.instant());
    clock.advance(Duration.ofSeconds(5));
    assertThat(clock.instant()).isEqualTo(FakeClock.DEFAULT_START.plusSeconds(5));
  }

  @Test
  void set_movesBackwardsToo_millisFollow() {
    FakeClock clock = FakeClock.atMillis(10_000);

    clock.setMillis(4_000);
    clock.advanceMillis(-1_000);

    assertThat(clock.millis()).isEqualTo(3_000);
    assertThat(clock.instant()).isEqualTo(Instant.ofEpochMilli(3_000));
    assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
  }
}
