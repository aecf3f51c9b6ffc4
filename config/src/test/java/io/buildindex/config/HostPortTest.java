package io.buildindex.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

final class HostPortTest {
  static Stream<Arguments> valid() {
    return Stream.of(
        Arguments.of("127.0.0.1:15004", new HostPort("127.0.0.1", 15004), "127.0.0.1:15004"),
        Arguments.of("dc2-build-index:15004", new HostPort("dc2-build-index", 15004), "dc2-build-index:15004"),
        Arguments.of("[::1]:15004", new HostPort("::1", 15004), "[::1]:15004"),
        Arguments.of(":15004", new HostPort("", 15004), ":15004"),
        Arguments.of("localhost:0", new HostPort("localhost", 0), "localhost:0"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("valid")
  void parse_valid_roundTrips(String text, HostPort expected, String printed) {
    HostPort parsed = HostPort.parse(text);

    assertThat(parsed).isEqualTo(expected);
    assertThat(parsed.toString()).isEqualTo(printed);
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"", "nocolon", "host:", "host:x", "host:65536", "host:-1", "a b:1", "a/b:1"})
  void parse_bad(String text) {
    assertThatThrownBy(() -> HostPort.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void withPort_keepsHost() {
    assertThat(HostPort.parse("[::1]:15004").withPort(0)).isEqualTo(new HostPort("::1", 0));
  }
}
