package io.buildindex.tagreplication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.buildindex.config.ConfigException;
import io.buildindex.tagstore.Tag;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class RemoteRulesTest {
  private final RemoteRules rules = RemoteRules.compile(ordered(
      "dc2:15004", List.of("^foo/.*", "bar/.*"),
      "dc3:15004", List.of("^foo/.*")));

  private static Map<String, List<String>> ordered(String a, List<String> ra, String b, List<String> rb) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put(a, ra);
    m.put(b, rb);
    return m;
  }

  @Test
  void destinationsOf_everyMatchingRemoteOnce() {
    assertThat(rules.destinationsOf(Tag.parse("foo/bar:1"))).containsExactly("dc2:15004", "dc3:15004");
    assertThat(rules.destinationsOf(Tag.parse("foo/bar:1"))).hasSize(2);
  }

  @Test
  void destinationsOf_noMatch() {
    assertThat(rules.destinationsOf(Tag.parse("baz/x:1"))).isEmpty();
  }

  /* Kraken's Go code calls regexp.MatchString: an unanchored search of the whole "repo:tag". */
  @Test
  void match_isUnanchoredSearchLikeKraken() {
    assertThat(rules.destinationsOf(Tag.parse("x/bar/y:1"))).containsExactly("dc2:15004");
    assertThat(rules.destinationsOf(Tag.parse("x/foo/y:1"))).isEmpty();
  }

  @Test
  void match_regexSeesTheTagPart() {
    RemoteRules byTag = RemoteRules.compile(Map.of("dc2:15004", List.of(":release-.*$")));
    assertThat(byTag.destinationsOf(Tag.parse("app:release-1"))).containsExactly("dc2:15004");
    assertThat(byTag.destinationsOf(Tag.parse("app:dev-1"))).isEmpty();
  }

  @Test
  void match_namesEveryMatchingRule() {
    assertThat(rules.match(Tag.parse("foo/bar/x:1"))).containsExactly(
        new RuleMatch("dc2:15004", "^foo/.*"), new RuleMatch("dc2:15004", "bar/.*"), new RuleMatch("dc3:15004", "^foo/.*"));
  }

  @Test
  void replicates_perDestination() {
    assertThat(rules.replicates(Tag.parse("bar/x:1"), "dc2:15004")).isTrue();
    assertThat(rules.replicates(Tag.parse("bar/x:1"), "dc3:15004")).isFalse();
    assertThat(rules.replicates(Tag.parse("foo/x:1"), "gone:1")).isFalse();
  }

  @Test
  void compile_canonicalizesAddresses() {
    RemoteRules ipv6 = RemoteRules.compile(Map.of("[::1]:15004", List.of(".*")));
    assertThat(ipv6.destinations()).containsOnlyKeys("[::1]:15004");
  }

  @Test
  void compile_badAddress() {
    assertThatThrownBy(() -> RemoteRules.compile(Map.of("nohost", List.of(".*"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("remotes.nohost");
    assertThatThrownBy(() -> RemoteRules.compile(Map.of(":15004", List.of(".*"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("host");
  }

  @Test
  void compile_badRegex() {
    assertThatThrownBy(() -> RemoteRules.compile(Map.of("dc2:1", List.of("(("))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("((");
  }
}
