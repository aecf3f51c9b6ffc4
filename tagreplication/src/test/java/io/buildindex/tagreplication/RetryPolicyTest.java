package io.buildindex.tagreplication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

final class RetryPolicyTest {
  private final RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(30), Duration.ofMinutes(10), 5);

  @Test
  void delay_doublesFromInitial() {
    assertThat(policy.delay(1)).isEqualTo(Duration.ofSeconds(30));
    assertThat(policy.delay(2)).isEqualTo(Duration.ofSeconds(60));
    assertThat(policy.delay(3)).isEqualTo(Duration.ofSeconds(120));
    assertThat(policy.delay(5)).isEqualTo(Duration.ofSeconds(480));
  }

  @Test
  void delay_cappedAtMax() {
    assertThat(policy.delay(6)).isEqualTo(Duration.ofMinutes(10));
    assertThat(policy.delay(1_000)).isEqualTo(Duration.ofMinutes(10));
    assertThat(policy.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void delay_jitterOnlyShortens() {
    assertThat(policy.delay(2, 0.0)).isEqualTo(Duration.ofSeconds(60));
    assertThat(policy.delay(2, 0.5)).isEqualTo(Duration.ofSeconds(54));
    assertThat(policy.delay(9, 0.999_999)).isGreaterThan(Duration.ofMinutes(8)).isLessThanOrEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void delay_badArguments() {
    assertThatThrownBy(() -> policy.delay(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
    assertThatThrownBy(() -> policy.delay(1, 1.0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void exhausted_afterMaxAttempts() {
    assertThat(policy.exhausted(4)).isFalse();
    assertThat(policy.exhausted(5)).isTrue();
  }

  @Test
  void exhausted_neverWhenUnlimited() {
    RetryPolicy forever = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 0);
    assertThat(forever.exhausted(Integer.MAX_VALUE)).isFalse();
  }

  @Test
  void constructor_maxBelowInitial() {
    assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT1S");
  }
}
