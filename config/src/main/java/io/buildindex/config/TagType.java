package io.buildindex.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;

/** How a tag's dependencies are resolved: just the digest, or from a Docker/OCI manifest. */
public enum TagType {
  DEFAULT, DOCKER;

  @JsonCreator
  static TagType parse(String text) {
    try {
      return valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("", "unknown tag type \"" + text + "\" (want default or docker)");
    }
  }
}
