package io.buildindex.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

final class PollTest {
  @Test
  void until_returnsOnceTheConditionHolds() {
    AtomicInteger polls = new AtomicInteger();

    Poll.until(Poll.DEADLINE, "the third poll", () -> polls.incrementAndGet() == 3);

    assertThat(polls).hasValue(3);
  }

  @Test
  void until_neverHolds_failsNamingWhatAndTheState() {
    assertThatThrownBy(() -> Poll.until(Duration.ofMillis(20), "the impossible", () -> false, () -> "state: idle"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("waiting until the impossible")
        .hasMessageContaining("state: idle");
  }

  @Test
  void until_conditionThrows_countsAsNotYet_andBecomesTheCause() {
    AtomicInteger polls = new AtomicInteger();
    Poll.until(Poll.DEADLINE, "a server that answers on the second try", () -> {
      if (polls.incrementAndGet() == 1) {
        throw new IllegalStateException("connection refused");
      }
      return true;
    });

    assertThatThrownBy(() -> Poll.until(Duration.ofMillis(20), "a server", () -> {
      throw new IllegalStateException("connection refused");
    })).isInstanceOf(AssertionError.class).hasCauseInstanceOf(IllegalStateException.class);
  }

  @Test
  void value_returnsTheFirstValueThatIsDone() {
    AtomicInteger n = new AtomicInteger();

    int value = Poll.value(Poll.DEADLINE, "n reaches 5", n::incrementAndGet, v -> v >= 5, () -> "");

    assertThat(value).isEqualTo(5);
  }
}
