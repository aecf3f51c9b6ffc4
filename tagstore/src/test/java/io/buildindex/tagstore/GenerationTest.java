package io.buildindex.tagstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class GenerationTest {
  private static final long MILLIS = 1_735_689_600_000L; // 2025-01-01T00:00:00Z

  @Test
  void of_millisInTheHighBitsCounterInTheLow() {
    Generation g = Generation.of(MILLIS, 3);

    assertThat(g.value()).isEqualTo((MILLIS << 16) + 3);
    assertThat(g.millis()).isEqualTo(MILLIS);
  }

  @Test
  void of_counterKeepsOnlyItsLow16Bits() {
    assertThat(Generation.of(MILLIS, 0xFFFF).millis()).isEqualTo(MILLIS);
    assertThat(Generation.of(MILLIS, 0x1_0001)).isEqualTo(Generation.of(MILLIS, 1));
  }

  @Test
  void compareTo_ordersByTimeThenCounter() {
    List<Generation> gens = new ArrayList<>(List.of(
        Generation.of(MILLIS + 1, 0), Generation.of(MILLIS, 2), Generation.ZERO, Generation.of(MILLIS, 0xFFFF)));

    gens.sort(null);

    assertThat(gens).containsExactly(
        Generation.ZERO, Generation.of(MILLIS, 2), Generation.of(MILLIS, 0xFFFF), Generation.of(MILLIS + 1, 0));
  }

  @Test
  void isNewerThan_strict() {
    Generation g = Generation.of(MILLIS, 1);

    assertThat(g.isNewerThan(Generation.of(MILLIS, 0))).isTrue();
    assertThat(g.isNewerThan(g)).isFalse();
    assertThat(Generation.of(MILLIS, 0).isNewerThan(g)).isFalse();
    assertThat(new Generation(1).isNewerThan(Generation.ZERO)).isTrue();
  }

  @Test
  void new_negative_rejected() {
    assertThatThrownBy(() -> new Generation(-1))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("generation"))
        .hasMessageContaining("-1");
  }

  @Test
  void of_millisTooLargeForTheHighBits_rejected() {
    assertThatThrownBy(() -> Generation.of(1L << 47, 0)).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void parse_decimal_roundTrips() {
    Generation g = Generation.of(MILLIS, 7);

    assertThat(Generation.parse(g.toString())).isEqualTo(g);
    assertThat(Generation.parse(" 42\n")).isEqualTo(new Generation(42));
    assertThat(Generation.parse("0")).isEqualTo(Generation.ZERO);
    assertThat(Generation.parse(Long.toString(Long.MAX_VALUE)).value()).isEqualTo(Long.MAX_VALUE);
  }

  /* Not listed: "+5" and non-ASCII digits ("\u0661" is 1): Long.parseLong accepts them. */
  @ParameterizedTest
  @ValueSource(strings = {"", " ", "abc", "-1", "1.5", "0x10", "1e3", "9223372036854775808"})
  void parse_invalid_rejectedNamingTheField(String text) {
    assertThatThrownBy(() -> Generation.parse(text))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("generation"));
  }
}
