package io.buildindex.config;

import java.util.List;
import java.util.regex.Pattern;

/** One {@code tag_types} entry: tags whose repository matches {@code namespace} use {@code type}. */
public record TagTypeRule(String namespace, TagType type) {
  /** Everything is a plain tag unless configured otherwise. */
  public static final List<TagTypeRule> DEFAULTS = List.of(new TagTypeRule(".*", TagType.DEFAULT));

  public TagTypeRule {
    Validate.required("namespace", namespace);
    Validate.regex("namespace", namespace);
    type = Validate.orDefault(type, TagType.DEFAULT);
  }

  /**
   * The namespace regex, compiled. Kraken matches it with Go's {@code regexp.MatchString} against
   * the whole tag, unanchored, so callers should use {@code find()}.
   */
  public Pattern pattern() {
    return Pattern.compile(namespace);
  }
}
