package io.buildindex.server;

import io.buildindex.config.TagType;
import io.buildindex.config.TagTypeRule;
import io.buildindex.tagreplication.DependencyResolver;
import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Tag;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Resolves a tag's dependencies by the first {@code tag_types} rule whose namespace regex matches
 * the tag (unanchored, as Kraken's {@code regexp.MatchString}); a tag no rule matches depends on
 * its digest alone. Thread-safe.
 */
final class TagTypes implements DependencyResolver {
  private record Rule(Pattern namespace, DependencyResolver resolver) {}

  private final List<Rule> rules;

  TagTypes(List<TagTypeRule> rules, Map<TagType, DependencyResolver> resolvers) {
    this.rules = rules.stream().map(r -> new Rule(r.pattern(), resolverFor(r.type(), resolvers))).toList();
  }

  private static DependencyResolver resolverFor(TagType type, Map<TagType, DependencyResolver> resolvers) {
    DependencyResolver r = resolvers.get(type);
    if (r == null) {
      throw new IllegalStateException("tag type " + type + " needs an origin: add an origin section to the config");
    }
    return r;
  }

  @Override
  public List<Digest> resolve(Tag tag, Digest digest) {
    String name = tag.toString();
    for (Rule rule : rules) {
      if (rule.namespace().matcher(name).find()) {
        return rule.resolver().resolve(tag, digest);
      }
    }
    return List.of(digest);
  }
}
