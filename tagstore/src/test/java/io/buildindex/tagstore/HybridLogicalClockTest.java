package io.buildindex.tagstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.buildindex.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

final class HybridLogicalClockTest {
  private static final long MILLIS = 1_735_689_600_000L; // 2025-01-01T00:00:00Z

  private final FakeClock wall = FakeClock.atMillis(MILLIS);
  private final HybridLogicalClock clock = new HybridLogicalClock(wall);

  @Test
  void next_followsTheWallClock() {
    assertThat(clock.next()).isEqualTo(Generation.of(MILLIS, 0));

    wall.advanceMillis(5);

    assertThat(clock.next()).isEqualTo(Generation.of(MILLIS + 5, 0));
  }

  @Test
  void next_withinOneMillisecond_countsUp() {
    assertThat(List.of(clock.next(), clock.next(), clock.next()))
        .containsExactly(Generation.of(MILLIS, 0), Generation.of(MILLIS, 1), Generation.of(MILLIS, 2));
  }

  @Test
  void next_wallClockStepsBack_stillIncreases() {
    Generation before = clock.next();

    wall.setMillis(MILLIS - 60_000);
    Generation afterStep = clock.next();
    Generation later = clock.next();

    assertThat(afterStep).isEqualTo(Generation.of(MILLIS, 1));
    assertThat(later.isNewerThan(afterStep)).isTrue();
    assertThat(afterStep.isNewerThan(before)).isTrue();
  }

  @Test
  void next_wallClockCatchesUpAfterStepBack_followsItAgain() {
    clock.next();
    wall.setMillis(MILLIS - 60_000);
    clock.next();

    wall.setMillis(MILLIS + 1);

    assertThat(clock.next()).isEqualTo(Generation.of(MILLIS + 1, 0));
  }

  @Test
  void next_moreThanTheCounterHoldsInOneMillisecond_stillIncreases() {
    Generation previous = clock.next();
    for (int i = 0; i < (1 << Generation.COUNTER_BITS) + 10; i++) {
      Generation g = clock.next();
      assertThat(g.isNewerThan(previous)).isTrue();
      previous = g;
    }
  }

  @Test
  void observe_futureGeneration_nextExceedsIt() {
    Generation remote = Generation.of(MILLIS + 3_600_000, 9);

    clock.observe(remote);

    assertThat(clock.next().isNewerThan(remote)).isTrue();
  }

  @Test
  void observe_pastGeneration_changesNothing() {
    clock.observe(Generation.of(MILLIS - 1_000, 5));

    assertThat(clock.next()).isEqualTo(Generation.of(MILLIS, 0));
  }

  @Test
  void next_concurrentCallers_allDistinct() throws Exception {
    int threads = 8;
    int each = 20_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<Generation>>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        results.add(pool.submit(() -> {
          start.await();
          List<Generation> mine = new ArrayList<>(each);
          for (int i = 0; i < each; i++) {
            mine.add(clock.next());
          }
          return mine;
        }));
      }
      start.countDown();

      Set<Generation> all = new HashSet<>();
      for (Future<List<Generation>> f : results) {
        List<Generation> mine = f.get();
        assertThat(mine).isSorted();
        all.addAll(mine);
      }
      assertThat(all).hasSize(threads * each);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void next_afterObservingMaxValue_saturatesNeverGoesBack() {
    clock.observe(new Generation(Long.MAX_VALUE - 2));

    List<Generation> issued = List.of(clock.next(), clock.next(), clock.next(), clock.next());

    assertThat(issued).containsExactly(new Generation(Long.MAX_VALUE - 1), new Generation(Long.MAX_VALUE),
        new Generation(Long.MAX_VALUE), new Generation(Long.MAX_VALUE));
  }

  @Test
  void observeAtMost_tooFarAhead_refusedAndClockUnmoved() {
    Generation farAhead = Generation.of(MILLIS + 300_001, 0);

    assertThatThrownBy(() -> clock.observeAtMost(farAhead, Duration.ofMinutes(5)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("generation").hasMessageContaining("ahead");
    assertThat(clock.next()).isEqualTo(Generation.of(MILLIS, 0));
  }

  @Test
  void observeAtMost_withinSkew_observed() {
    Generation ahead = Generation.of(MILLIS + 300_000, 7);

    assertThat(clock.observeAtMost(ahead, Duration.ofMinutes(5))).isEqualTo(ahead);
    assertThat(clock.next()).isEqualTo(Generation.of(MILLIS + 300_000, 8));
  }
}
