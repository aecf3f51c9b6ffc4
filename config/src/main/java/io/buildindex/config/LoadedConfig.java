package io.buildindex.config;

import java.util.List;

/**
 * A configuration as loaded, with what the loader has to tell the operator at start-up: one line
 * naming the Kraken keys it ignored ({@code ignored Kraken keys: nginx, backends}) and any other
 * notice (an {@code auth} section of Kraken's shape).
 */
public record LoadedConfig(BuildIndexConfig config, List<String> warnings) {
  public LoadedConfig {
    warnings = List.copyOf(warnings);
  }
}
