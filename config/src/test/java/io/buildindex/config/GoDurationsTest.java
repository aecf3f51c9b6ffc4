package io.buildindex.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

final class GoDurationsTest {
  static Stream<Arguments> valid() {
    return Stream.of(
        Arguments.of("100ms", Duration.ofMillis(100)),
        Arguments.of("30s", Duration.ofSeconds(30)),
        Arguments.of("20m", Duration.ofMinutes(20)),
        Arguments.of("1h30m", Duration.ofMinutes(90)),
        Arguments.of("1.5h", Duration.ofMinutes(90)),
        Arguments.of("0", Duration.ZERO),
        Arguments.of("0s", Duration.ZERO),
        Arguments.of("1h0m0s", Duration.ofHours(1)),
        Arguments.of("2h45m30.5s", Duration.ofHours(2).plusMinutes(45).plusSeconds(30).plusMillis(500)),
        Arguments.of(".5s", Duration.ofMillis(500)),
        Arguments.of("1.s", Duration.ofSeconds(1)),
        Arguments.of("7ns", Duration.ofNanos(7)),
        Arguments.of("3us", Duration.ofNanos(3_000)),
        Arguments.of("3\u00b5s", Duration.ofNanos(3_000)), // micro sign
        Arguments.of("3\u03bcs", Duration.ofNanos(3_000)), // Greek mu
        Arguments.of("1m1m", Duration.ofMinutes(2)),
        Arguments.of("-1.5s", Duration.ofMillis(-1500)),
        Arguments.of("+5m", Duration.ofMinutes(5)),
        Arguments.of("2562047h", Duration.ofHours(2562047)));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("valid")
  void parse_valid(String text, Duration expected) {
    assertThat(GoDurations.parse(text)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"", "3x", "10", "s", "ms", "1h 30m", "--1s", "1.2.3s", "1e3s", "1H", "1d", "h1", "0x10s", "-", "+", "1s-1s", "NaNs"})
  void parse_bad_namesText(String text) {
    assertThatThrownBy(() -> GoDurations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"" + text + "\"");
  }

  /** Go's ParseDuration accepts a signed zero ("-0", "+0") as well as "0". */
  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"-0", "+0"})
  void parse_signedZero(String text) {
    assertThat(GoDurations.parse(text)).isEqualTo(Duration.ZERO);
  }

  /** Go truncates fractions below a nanosecond ("1.5ns" is 1ns) rather than failing. */
  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"1.5ns", "1.0001us"})
  void parse_subNanosecondFraction_truncates(String text) {
    assertThat(GoDurations.parse(text)).isEqualTo(Duration.ofNanos(text.equals("1.5ns") ? 1 : 1000));
  }

  /** Beyond what a duration holds (about 292 years): still a bad-duration error naming the text. */
  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"9999999999h", "2562048h", "99999999999999999999ns"})
  void parse_overflow_namesText(String text) {
    assertThatThrownBy(() -> GoDurations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"" + text + "\"");
  }

  static Stream<Arguments> formatted() {
    return Stream.of(
        Arguments.of(Duration.ZERO, "0s"),
        Arguments.of(Duration.ofMillis(100), "100ms"),
        Arguments.of(Duration.ofNanos(7), "7ns"),
        Arguments.of(Duration.ofSeconds(30), "30s"),
        Arguments.of(Duration.ofMinutes(20), "20m0s"),
        Arguments.of(Duration.ofMinutes(90), "1h30m0s"),
        Arguments.of(Duration.ofHours(1).plusSeconds(5), "1h0m5s"),
        Arguments.of(Duration.ofSeconds(-30), "-30s"),
        Arguments.of(Duration.ofDays(7), "168h0m0s"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("formatted")
  void format_asGo(Duration d, String expected) {
    assertThat(GoDurations.format(d)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("formatted")
  void format_parsesBack(Duration d, String text) {
    assertThat(GoDurations.parse(GoDurations.format(d))).isEqualTo(d);
  }
}
