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
 * (Javalin's defaults): the same paths match, with the same decoded parameters, for a template of
 * every shape the server's routes have.
 */
class PathTemplateTest {
  private static final String DIGEST = "sha256:" + "ab".repeat(32);
  private static final List<String> TEMPLATES = List.of("/tags/{tag}/digest/{digest}",
      "/internal/duplicate/tags/{tag}/digest/{digest}", "/internal/duplicate/remotes/tags/{tag}/digest/{digest}",
      "/tags/{tag}", "/tags/{tag}/history", "/repositories/{repo}/tags", "/list", "/list/<prefix>", "/health",
      "/replication/tasks/retry", "/internal/antientropy/buckets/{index}", "/a/{x}/b/{y}/c", "/{x}", "/{x}/<rest>");

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
        "/internal/duplicate/tags/remotes/tags/a:1/digest/x",
        "/list", "/list/", "/list//", "/list/a", "/list/a/", "/list/a//", "/list//a", "/list/a/b/", "/list/team%2Fapp/_manifests/tags",
        "/list/%zz", "/listx", "/health", "/health/", "/health//", "/Health", "/healthz", "/health/x",
        "/repositories/team%2Fapp/tags", "/repositories/team/app/tags", "/repositories//tags", "/repositories/a/tags/",
        "/replication/tasks/retry", "/replication/tasks/retry/", "/replication/tasks", "/a/1/b/2/c", "/a/1/b/2/c/", "/a/1/b//c",
        "/x", "/x/", "//", "/x/y/z", "/x//");
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
    // Paths of about each template's shape: each segment a parameter's value, the template's literal
    // or a near miss, sometimes one segment more or less, and a tail that may break it.
    Random random = new Random(42);
    String[] value = {"a:1", "team%2Fapp:v1", "a%252F:1", "a+b:1", "a%2Bb:1", "%", "a%:1", "a%2", "%u002F", "é:1", "", "a/b", "/",
        "sha256:" + "ab".repeat(32), "7"};
    String[] tail = {"", "", "", "/", "//", "/x"};
    for (String template : TEMPLATES) {
      String[] parts = template.substring(1).split("/");
      int matched = 0;
      for (int i = 0; i < 5_000; i++) {
        StringBuilder path = new StringBuilder();
        int count = parts.length + (random.nextInt(8) == 0 ? random.nextInt(3) - 1 : 0);
        for (int p = 0; p < count; p++) {
          String part = parts[Math.min(p, parts.length - 1)];
          boolean literal = !part.startsWith("{") && !part.startsWith("<");
          String segment = !literal || random.nextInt(10) == 0 ? value[random.nextInt(value.length)]
              : random.nextInt(20) == 0 ? part.toUpperCase(java.util.Locale.ROOT) + "x" : part;
          path.append('/').append(segment);
        }
        path.append(tail[random.nextInt(tail.length)]);
        matched += assertSameAsJavalin(template, path.toString()) ? 1 : 0;
      }
      assertThat(matched).as("paths of %s's shape among them", template).isGreaterThan(500);
    }
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
  void templatesWithoutParameters_haveNone() {
    PathTemplate.Params p = PathTemplate.of("/replication/tasks/retry").match("/replication/tasks/retry/");

    assertThat(p).isNotNull();
    assertThatThrownBy(() -> p.get("tag")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without parameters");
  }

  @Test
  void rest_takesSlashes() {
    PathTemplate.Params p = PathTemplate.of("/list/<prefix>").match("/list/team%2Fapp/_manifests/tags/");

    assertThat(p).isNotNull();
    assertThat(p.get("prefix")).isEqualTo("team/app/_manifests/tags");
  }

  @Test
  void of_refusesTemplatesItCannotSplit() {
    for (String bad : List.of("tags/{tag}", "/", "/tags/", "//tags", "/tags/x{tag}", "/tags/{tag}//{digest}", "/tags/{tag}/*",
        "/tags/<digest>/x", "/tags/{}", "/tags/<>", "/tags*", "/{tag}}")) {
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
    return true;
  }
}
