package io.buildindex.tagstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link Digest#parseContent}: digests as manifests and registry events write them (moved here with docker's Digest). */
final class ContentDigestTest {
  private static final String HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  @Test
  void parse_roundTrips() {
    Digest d = Digest.parseContent("sha256:" + HEX);

    assertThat(d.algorithm()).isEqualTo("sha256");
    assertThat(d.hex()).isEqualTo(HEX);
    assertThat(d).hasToString("sha256:" + HEX);
  }

  @Test
  void sha256_ofEmptyContent() {
    assertThat(Digest.sha256(new byte[0])).isEqualTo(Digest.parseContent("sha256:" + HEX));
    assertThat(Digest.parseContent("sha256:" + HEX).matches(new byte[0])).isTrue();
    assertThat(Digest.parseContent("sha256:" + HEX).matches("x".getBytes(StandardCharsets.UTF_8))).isFalse();
  }

  @Test
  void parse_uppercaseHex() {
    assertThatThrownBy(() -> Digest.parseContent("sha256:" + HEX.toUpperCase()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining(HEX.toUpperCase());
  }

  @Test
  void parse_shortHex() {
    assertThatThrownBy(() -> Digest.parseContent("sha256:abc"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("\"sha256:abc\"");
  }

  @Test
  void parse_noAlgorithm() {
    assertThatThrownBy(() -> Digest.parseContent(HEX)).isInstanceOf(InvalidInputException.class).hasMessageContaining(HEX);
  }

  @Test
  void parse_unknownAlgorithm() {
    assertThatThrownBy(() -> Digest.parseContent("md5:" + HEX))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("md5");
  }

  @Test
  void sha512_accepted() {
    String hex = "a".repeat(128);

    assertThat(Digest.parseContent("sha512:" + hex).hex()).isEqualTo(hex);
  }

  @Test
  void oneType_theTagApisDigestEqualsTheManifestsReference() {
    assertThat(Digest.parse("sha256:" + HEX.toUpperCase())).isEqualTo(Digest.parseContent("sha256:" + HEX));
  }

  @Test
  void sha512_notAcceptedByTheTagApi() {
    assertThatThrownBy(() -> Digest.parse("sha512:" + "a".repeat(128)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("sha512").hasMessageContaining("want sha256");
  }
}
