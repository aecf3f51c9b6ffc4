package io.buildindex.tagstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

final class TagTest {
  /** A valid repository of exactly {@code length} characters: components of "a" joined by "/". */
  private static String repositoryOfLength(int length) {
    StringBuilder b = new StringBuilder("a");
    while (b.length() < length) {
      b.append(b.length() + 2 <= length ? "/a" : "b");
    }
    return b.toString();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "a:b",
      "repo:latest",
      "0:0",
      "team/app:v1.2.3",
      "a.b-c_d/e0/f-g.h:tag",
      "repo:_underscore-first",
      "repo:MixedCase.9-x_",
      "repo-1.x:2024-01-01",
      "my__app:v1",
      "my--app:v1",
      "a---b/c__d.e_f-g:v1",
  })
  void parse_valid(String text) {
    Tag tag = Tag.parse(text);

    assertThat(tag.toString()).isEqualTo(text);
    assertThat(Tag.parse(tag.toString())).isEqualTo(tag);
  }

  @Test
  void parse_splitsAtTheLastColon() {
    assertThat(Tag.parse("team/app:v1")).isEqualTo(new Tag("team/app", "v1"));
  }

  static Stream<Arguments> invalidRepositories() {
    return Stream.of(
        Arguments.of("", "empty"),
        Arguments.of("Repo", "uppercase"),
        Arguments.of("team/App", "uppercase in a later component"),
        Arguments.of("a..b", "two separators in a row"),
        Arguments.of("a.-b", "mixed separators in a row"),
        Arguments.of("a//b", "empty component"),
        Arguments.of("a/", "trailing slash"),
        Arguments.of("/a", "leading slash"),
        Arguments.of("-a", "leading dash"),
        Arguments.of(".a", "leading dot"),
        Arguments.of("a_", "trailing underscore"),
        Arguments.of("a___b", "three underscores"),
        Arguments.of("a_-b", "underscore then dash"),
        Arguments.of("a-_b", "dash then underscore"),
        Arguments.of("a__.b", "two underscores then a dot"),
        Arguments.of("a--", "trailing dashes"),
        Arguments.of("a__/b", "two underscores before a slash"),
        Arguments.of("a/__b", "component starting with underscores"),
        Arguments.of("a/.b", "component starting with a dot"),
        Arguments.of("a b", "space"),
        Arguments.of("host:5000/a", "port"),
        Arguments.of("caf\u00e9", "non-ASCII letter"),
        Arguments.of("\uff41", "fullwidth a"),
        Arguments.of("a\u0000b", "NUL"),
        Arguments.of(repositoryOfLength(256), "256 characters"));
  }

  @ParameterizedTest(name = "{1}: \"{0}\"")
  @MethodSource("invalidRepositories")
  void new_invalidRepository_rejectedNamingTheField(String repository, String why) {
    assertThatThrownBy(() -> new Tag(repository, "latest"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("repository"));
    assertThatThrownBy(() -> Tag.checkRepository(repository)).isInstanceOf(InvalidInputException.class);
  }

  static Stream<Arguments> invalidNames() {
    return Stream.of(
        Arguments.of("", "empty"),
        Arguments.of(".hidden", "leading dot"),
        Arguments.of("-rc1", "leading dash"),
        Arguments.of("a".repeat(129), "129 characters"),
        Arguments.of("v1 2", "space"),
        Arguments.of("v1/2", "slash"),
        Arguments.of("v1+2", "plus"),
        Arguments.of("caf\u00e9", "non-ASCII letter"),
        Arguments.of("\u0661", "Arabic-Indic digit one"),
        Arguments.of("v1\n", "newline"));
  }

  @ParameterizedTest(name = "{1}: \"{0}\"")
  @MethodSource("invalidNames")
  void new_invalidName_rejectedNamingTheField(String name, String why) {
    assertThatThrownBy(() -> new Tag("repo", name))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("tag"));
  }

  @Test
  void new_nameOf128Characters_accepted() {
    String name = "A" + "b".repeat(126) + "_";

    assertThat(new Tag("repo", name).name()).hasSize(128);
  }

  @Test
  void new_nameMayContainDotsAndDashesAfterTheFirstCharacter() {
    assertThat(new Tag("repo", "_.-").name()).isEqualTo("_.-");
  }

  /** The 255 limit is the repository's (the OCI one), not the whole reference's. */
  @Test
  void new_repositoryOf255CharactersWithLongName_accepted() {
    Tag tag = new Tag(repositoryOfLength(Tag.MAX_LENGTH), "t".repeat(128));

    assertThat(tag.toString()).hasSize(255 + 1 + 128);
  }

  @Test
  void new_repositoryOf205CharactersWithNameOf60_accepted() {
    String text = repositoryOfLength(205) + ":" + "t".repeat(60);

    assertThat(Tag.parse(text).toString()).isEqualTo(text);
  }

  @Test
  void checkRepository_255Characters_accepted() {
    String repository = repositoryOfLength(255);

    assertThat(Tag.checkRepository(repository)).hasSize(255);
  }

  @ParameterizedTest
  @ValueSource(strings = {"noColon", "", "repo"})
  void parse_withoutColon_rejected(String text) {
    assertThatThrownBy(() -> Tag.parse(text))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("tag"));
  }

  @Test
  void parse_emptyNameOrRepository_rejected() {
    assertThatThrownBy(() -> Tag.parse("repo:")).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> Tag.parse(":latest")).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void parse_extraColon_endsUpInTheRepositoryAndIsRejected() {
    assertThatThrownBy(() -> Tag.parse("a:b:c"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("repository"));
  }

  @Test
  void error_hostileInput_echoedEscaped() {
    assertThatThrownBy(() -> Tag.parse("caf\u00e9:\"x\\\n"))
        .hasMessageContaining("caf\\u00e9")
        .hasMessageNotContaining("\u00e9")
        .hasMessageNotContaining("\n");
  }

  @Test
  void printable_longInput_truncated() {
    String printable = Tag.printable("x".repeat(1_000));

    assertThat(printable).hasSize(303).endsWith("...");
  }

  @Test
  void printable_escapesControlQuoteBackslashAndNonAscii() {
    assertThat(Tag.printable("a\"b\\c\u0007d\u00e9")).isEqualTo("a\\u0022b\\u005cc\\u0007d\\u00e9");
  }

  @ParameterizedTest
  @ValueSource(strings = {"repo:v1|repo:v1", "team/app:v1|team%2Fapp:v1", "a/b/c:x.y-z_|a%2Fb%2Fc:x.y-z_"})
  void pathEscaped_escapesOnlySlashes(String row) {
    String[] cols = row.split("\\|");

    assertThat(Tag.parse(cols[0]).pathEscaped()).isEqualTo(cols[1]);
  }

  @Test
  void compareTo_ordersByReferenceText() {
    List<Tag> tags = new ArrayList<>(List.of(
        Tag.parse("repo:b"), Tag.parse("repo2:a"), Tag.parse("repo/sub:a"), Tag.parse("repo:a")));

    tags.sort(null);

    assertThat(tags).extracting(Tag::toString).containsExactly("repo/sub:a", "repo2:a", "repo:a", "repo:b");
  }
}
