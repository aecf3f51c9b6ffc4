package io.buildindex.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

final class DigestTest {
  private static final String HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  @Test
  void parse_roundTrips() {
    Digest d = Digest.parse("sha256:" + HEX);

    assertThat(d.algorithm()).isEqualTo("sha256");
    assertThat(d.hex()).isEqualTo(HEX);
    assertThat(d).hasToString("sha256:" + HEX);
  }

  @Test
  void sha256_ofEmptyContent() {
    assertThat(Digest.sha256(new byte[0])).isEqualTo(Digest.parse("sha256:" + HEX));
    assertThat(Digest.parse("sha256:" + HEX).matches(new byte[0])).isTrue();
    assertThat(Digest.parse("sha256:" + HEX).matches("x".getBytes(StandardCharsets.UTF_8))).isFalse();
  }

  @Test
  void parse_uppercaseHex() {
    assertThatThrownBy(() -> Digest.parse("sha256:" + HEX.toUpperCase()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(HEX.toUpperCase());
  }

  @Test
  void parse_shortHex() {
    assertThatThrownBy(() -> Digest.parse("sha256:abc"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"sha256:abc\"");
  }

  @Test
  void parse_noAlgorithm() {
    assertThatThrownBy(() -> Digest.parse(HEX)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(HEX);
  }

  @Test
  void parse_unknownAlgorithm() {
    assertThatThrownBy(() -> Digest.parse("md5:" + HEX))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("md5");
  }

  @Test
  void sha512_accepted() {
    String hex = "a".repeat(128);

    assertThat(Digest.parse("sha512:" + hex).hex()).isEqualTo(hex);
  }
}
