package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.javalin.config.JavalinConfig;
import io.javalin.router.matcher.PathParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link PathTemplate} against Javalin's own route parser, with the server's router configuration
 * (Javalin's defaults): the same paths match, with the same decoded parameters, and the wildcard
 * route that Javalin registers takes every path the template matches.
 */
class PathTemplateTest {
  private static final String DIGEST = "sha256:" + "ab".repeat(32);
  private static final List<String> TEMPLATES = List.of("/tags/{tag}/digest/{digest}",
      "/internal/duplicate/tags/{tag}/digest/{digest}", "/internal/duplicate/remotes/tags/{tag}/digest/{digest}");

  static Stream<String> paths() {
    return Stream.of(
        "/tags/team%2Fapp:v1/digest/" + DIGEST,
        "/tags/team%2Fapp:v1/digest/" + DIGEST + "/", // one trailing slash: ignored
        "/tags/team%2Fapp:v1/digest/" + DIGEST + "//",
        "/tags/team%252Fapp:v1/digest/" + DIGEST, // escaped twice: decoded once here
        "/tags/a+b:1/digest/x", "/tags/a%2Bb:1/digest/x", "/tags/a%20b:1/digest/x", "/tags/%E2%82%AC:1/digest/x",
        "/tags/a%:1/digest/x", "/tags/a%2:1/digest/x", "/tags/a%u002F:1/digest/x", // malformed escapes
        "/tags/a:1/digest/", "/tags/a:1/digest", "/tags//digest/x", "/tags/a:1//digest/x", "/tags/a:1/digest//x",
        "/tags/a/b:1/digest/x", "/tags/a:1/digest/x/y", "/tags/a:1/Digest/x", "/tags/a:1/history", "/tags/a:1",
        "/tags/", "/tags", "/", "/tagsx/a:1/digest/x", "/other/tags/a:1/digest/x",
        "/internal/duplicate/tags/a%2Fb:1/digest/" + DIGEST,
        "/internal/duplicate/remotes/tags/a%2Fb:1/digest/" + DIGEST,
        "/internal/duplicate/tags/remotes/tags/a:1/digest/x");
  }

  @ParameterizedTest
  @MethodSource("paths")
  void matchesAsJavalinsOwnRoute(String path) {
    for (String template : TEMPLATES) {
      assertSameAsJavalin(template, path);
    }
  }

  @Test
  void randomPaths_matchAsJavalinsOwnRoute() {
    // Paths of about the template's shape, each part drawn from pieces that sometimes break it.
    Random random = new Random(42);
    String[] segment = {"a:1", "team%2Fapp:v1", "a%252F:1", "a+b:1", "a%2Bb:1", "%", "a%:1", "a%2", "%u002F", "é:1", "", "a/b",
        "sha256:" + "ab".repeat(32)};
    String[] literal = {"digest", "digest", "digest", "Digest", "history", ""};
    String[] tail = {"", "", "", "/", "//", "/x"};
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      paths.add((random.nextInt(10) == 0 ? "/tag/" : "/tags/") + segment[random.nextInt(segment.length)] + "/"
          + literal[random.nextInt(literal.length)] + "/" + segment[random.nextInt(segment.length)] + tail[random.nextInt(tail.length)]);
    }
    int matched = 0;
    for (String path : paths) {
      matched += assertSameAsJavalin("/tags/{tag}/digest/{digest}", path) ? 1 : 0;
    }
    assertThat(matched).as("paths of the template's shape among them").isGreaterThan(2_000);
  }

  @Test
  void params_decodedAsJavalinDoes() {
    PathTemplate.Params p = PathTemplate.of("/tags/{tag}/digest/{digest}").match("/tags/team%2Fapp+x:v1/digest/sha256:ab/");

    assertThat(p).isNotNull();
    assertThat(p.get("tag")).isEqualTo("team/app+x:v1");
    assertThat(p.get("digest")).isEqualTo("sha256:ab");
    assertThatThrownBy(() -> p.get("repo")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("repo");
  }

  @Test
  void javalinPath_isThePrefixAndAWildcard_nameIsTheTemplate() {
    PathTemplate t = PathTemplate.of("/internal/duplicate/tags/{tag}/digest/{digest}");

    assertThat(t.javalinPath()).isEqualTo("/internal/duplicate/tags/*");
    assertThat(t.name()).isEqualTo("/internal/duplicate/tags/{tag}/digest/{digest}");
  }

  @Test
  void of_refusesTemplatesItCannotSplit() {
    for (String bad : List.of("tags/{tag}", "/tags", "/{tag}", "/tags/x{tag}", "/tags/{tag}//{digest}", "/tags/{tag}/*",
        "/tags/{tag}/<digest>", "/tags/{}")) {
      assertThatThrownBy(() -> PathTemplate.of(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  /** Whether the template matched; fails when Javalin's route for it would decide otherwise. */
  private static boolean assertSameAsJavalin(String template, String path) {
    JavalinConfig config = new JavalinConfig();
    PathParser javalin = new PathParser(template, config.router);
    PathTemplate ours = PathTemplate.of(template);
    Map<String, String> expected;
    try {
      expected = javalin.matches(path) ? javalin.extractPathParams(path) : null;
    } catch (IllegalArgumentException e) { // a malformed escape: ours must fail the same way
      assertThatThrownBy(() -> ours.match(path)).as(path).isInstanceOf(IllegalArgumentException.class);
      return true;
    }
    PathTemplate.Params actual = ours.match(path);
    if (expected == null) {
      assertThat(actual).as("%s on %s", path, template).isNull();
      return false;
    }
    assertThat(actual).as("%s on %s", path, template).isNotNull();
    expected.forEach((name, value) -> assertThat(actual.get(name)).as("%s of %s", name, path).isEqualTo(value));
    assertThat(new PathParser(ours.javalinPath(), config.router).matches(path)).as("wildcard route takes " + path).isTrue();
    return true;
  }
}
