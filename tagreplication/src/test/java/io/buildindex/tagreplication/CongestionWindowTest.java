package io.buildindex.tagreplication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.buildindex.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

final class CongestionWindowTest {
  private static final Duration RTT = Duration.ofMillis(100);
  private final FakeClock clock = new FakeClock();
  private static final int I = CongestionWindow.INITIAL;
  private static final int MAX = 16 * I;
  private final CongestionWindow window = new CongestionWindow(MAX);

  /** One round trip: an attempt of {@code tasks} started now, answered after {@code latency}. */
  private void answered(int tasks, Duration latency, boolean limited) {
    Instant started = clock.instant();
    clock.advance(latency);
    window.answered(tasks, started, latency, limited, clock.instant());
  }

  private void pushedBack() {
    Instant started = clock.instant();
    clock.advance(RTT);
    window.pushedBack(started, clock.instant());
  }

  @Test
  void startsAtTheInitialWindow() {
    assertThat(window.tasks()).isEqualTo(CongestionWindow.INITIAL);
    assertThat(new CongestionWindow(10).tasks()).as("capped by max").isEqualTo(10);
    assertThat(window.minLatency()).isZero();
  }

  @Test
  void max_belowMinimumIsRejected() {
    assertThatThrownBy(() -> new CongestionWindow(0)).hasMessageContaining("max < 1: 0");
  }

  @Test
  void slowStart_doublesPerRoundTripWhileLimitedAndFast() {
    answered(I, RTT, true);
    assertThat(window.tasks()).isEqualTo(2 * I);
    answered(2 * I, RTT, true);
    assertThat(window.tasks()).isEqualTo(4 * I);
  }

  @Test
  void neverGrowsBeyondMax() {
    for (int i = 0; i < 20; i++) {
      answered(window.tasks(), RTT, true);
    }
    assertThat(window.tasks()).isEqualTo(MAX);
  }

  @Test
  void doesNotGrowWhenNotLimited() {
    answered(1, RTT, false);
    answered(1, RTT, false);
    assertThat(window.tasks()).isEqualTo(CongestionWindow.INITIAL);
    assertThat(window.minLatency()).as("still learns the latency").isEqualTo(RTT);
  }

  @Test
  void risingLatency_shrinksTheWindow() {
    answered(I, RTT, true);
    answered(2 * I, RTT, true); // 4 I
    Duration slow = window.riseBound().multipliedBy(2);
    answered(4 * I, slow, false);
    assertThat(window.tasks()).as("one slow answer is not a trend").isEqualTo(4 * I);
    for (int i = 0; i < 20 && window.tasks() == 4 * I; i++) {
      answered(4 * I, slow, false);
    }
    assertThat(window.tasks()).isEqualTo((int) (4 * I * CongestionWindow.RISE_DECREASE));
  }

  @Test
  void risingLatency_neverShrinksBelowTheFloor() {
    answered(10, RTT, false);
    for (int i = 0; i < 30; i++) { // within two MIN_LATENCY_WINDOWs: the minimum stays 100 ms
      answered(10, Duration.ofMillis(600), true);
    }
    assertThat(window.tasks()).isEqualTo(CongestionWindow.RISE_FLOOR);
  }

  @Test
  void riseBound_isFactorTimesMinimumPlusSlack() {
    answered(10, RTT, false);
    answered(10, RTT.multipliedBy(3), false);
    assertThat(window.minLatency()).isEqualTo(RTT);
    assertThat(window.riseBound()).isEqualTo(RTT.multipliedBy(2).plus(CongestionWindow.RISE_SLACK));
  }

  @Test
  void latencyWithinTheBound_keepsGrowing() {
    answered(10, RTT, false);
    answered(I, window.riseBound(), true);
    assertThat(window.tasks()).isEqualTo(2 * I);
  }

  @Test
  void pushBack_halvesTheWindow_downToOneTask() {
    pushedBack();
    assertThat(window.tasks()).isEqualTo(I / 2);
    for (int i = 0; i < 20; i++) {
      pushedBack();
    }
    assertThat(window.tasks()).isEqualTo(CongestionWindow.MIN);
  }

  @Test
  void attemptsStartedBeforeADecrease_doNotShrinkItAgain() {
    answered(10, RTT, false);
    Instant started = clock.instant();
    clock.advance(RTT);
    window.pushedBack(started, clock.instant());
    window.pushedBack(started, clock.instant()); // a second request of the same round
    window.answered(10, started, Duration.ofSeconds(5), true, clock.instant());
    assertThat(window.tasks()).isEqualTo(I / 2);
  }

  @Test
  void afterADecrease_growsAboutOneStepPerRoundTrip() {
    pushedBack(); // I / 2, slow start over
    answered(I / 2, RTT, true);
    assertThat(window.tasks()).isEqualTo(I / 2 + CongestionWindow.GROWTH_PER_ROUND);
  }

  @Test
  void longAfterADecrease_doublesAgain() {
    answered(I, RTT, true);
    answered(2 * I, RTT, true); // 4 I
    pushedBack(); // 2 I
    clock.advance(CongestionWindow.MIN_LATENCY_WINDOW);
    answered(2 * I, RTT, true);
    assertThat(window.tasks()).isEqualTo(4 * I);
  }

  @Test
  void minLatency_forgetsOldSamples() {
    answered(1, Duration.ofMillis(5), false);
    clock.advance(CongestionWindow.MIN_LATENCY_WINDOW);
    answered(1, RTT, false);
    assertThat(window.minLatency()).as("the previous window still counts").isEqualTo(Duration.ofMillis(5));
    clock.advance(CongestionWindow.MIN_LATENCY_WINDOW);
    answered(1, RTT, false);
    assertThat(window.minLatency()).as("a link that became slower is learnt again").isEqualTo(RTT);
  }

  @Test
  void restart_afterAnOutage_startsAgainAtTheInitialWindowInSlowStart() {
    answered(1, Duration.ofMillis(5), false);
    for (int i = 0; i < 20; i++) {
      pushedBack(); // connection failures while the remote is down
    }
    assertThat(window.tasks()).isEqualTo(CongestionWindow.MIN);

    window.restart();

    assertThat(window.tasks()).isEqualTo(CongestionWindow.INITIAL);
    assertThat(window.minLatency()).as("latencies of before the outage forgotten").isZero();
    answered(CongestionWindow.INITIAL, RTT, true);
    assertThat(window.tasks()).as("doubling again").isEqualTo(2 * CongestionWindow.INITIAL);
  }

  @Test
  void restart_neverShrinksALargerWindow() {
    answered(I, RTT, true);
    answered(2 * I, RTT, true); // 4 I

    window.restart();

    assertThat(window.tasks()).isEqualTo(4 * I);
  }
}
