package io.buildindex.tagstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

final class DigestTest {
  private static final String HEX = "0123456789abcdef".repeat(4);

  @Test
  void parse_sha256_roundTrips() {
    Digest digest = Digest.parse("sha256:" + HEX);

    assertThat(digest).isEqualTo(new Digest(Digest.SHA256, HEX));
    assertThat(digest.algorithm()).isEqualTo("sha256");
    assertThat(digest.hex()).isEqualTo(HEX);
    assertThat(digest.toString()).isEqualTo("sha256:" + HEX);
  }

  /** Kraken's core.Digest accepts upper-case hex; we hold the canonical lower-case form. */
  @Test
  void parse_upperCaseHex_acceptedAsLowerCase() {
    Digest upper = Digest.parse("sha256:" + HEX.toUpperCase(java.util.Locale.ROOT));
    Digest mixed = Digest.parse("sha256:" + "0123456789ABCdef".repeat(4));

    assertThat(upper).isEqualTo(Digest.parse("sha256:" + HEX));
    assertThat(upper.toString()).isEqualTo("sha256:" + HEX);
    assertThat(mixed.hex()).isEqualTo(HEX);
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("", "empty"),
        Arguments.of(HEX, "no algorithm"),
        Arguments.of("sha256:", "no hex"),
        Arguments.of("sha256:" + HEX.substring(1), "63 hex"),
        Arguments.of("sha256:" + HEX + "0", "65 hex"),
        Arguments.of("sha256:" + HEX.substring(1) + "g", "non-hex letter"),
        Arguments.of("sha256:" + HEX.substring(1) + "\u0660", "non-ASCII digit"),
        Arguments.of("sha256:" + HEX.substring(1) + "\uff21", "fullwidth A"),
        Arguments.of("sha256:" + HEX.substring(1) + "G", "upper-case non-hex letter"),
        Arguments.of("SHA256:" + HEX, "uppercase algorithm"),
        Arguments.of("sha512:" + HEX + HEX, "sha512"),
        Arguments.of("md5:" + HEX, "md5"),
        Arguments.of(" sha256:" + HEX, "leading space"),
        Arguments.of("sha256:" + HEX + " ", "trailing space"),
        Arguments.of("sha256::" + HEX.substring(1), "two colons"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("invalid")
  void parse_invalid_rejectedNamingTheField(String text, String why) {
    assertThatThrownBy(() -> Digest.parse(text))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("digest"));
  }

  @Test
  void parse_hostileInput_echoedEscaped() {
    assertThatThrownBy(() -> Digest.parse("sha256:\u00e9\n"))
        .hasMessageContaining("\\u00e9")
        .hasMessageNotContaining("\n");
  }
}
