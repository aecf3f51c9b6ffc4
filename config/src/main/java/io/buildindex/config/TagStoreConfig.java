package io.buildindex.config;

/**
 * The {@code tagstore} section: read cache size. Each cached tag costs about 400 bytes of heap
 * (500 before Java 25's compact object headers; measured: see BENCHMARKS.md), so the default holds
 * the hot set of a large registry (the tags builds and deployments keep reading, far fewer than
 * all tags) in roughly 13 MB; a miss costs one indexed database read.
 */
public record TagStoreConfig(Long cacheMaximumSize) {
  public static final long DEFAULT_CACHE_MAXIMUM_SIZE = 32_768;

  public TagStoreConfig {
    cacheMaximumSize = Validate.orDefault(cacheMaximumSize, DEFAULT_CACHE_MAXIMUM_SIZE);
    if (cacheMaximumSize < 0) {
      throw new ConfigException("cache_maximum_size", "must be >= 0, got " + cacheMaximumSize);
    }
  }

  public static TagStoreConfig defaults() {
    return new TagStoreConfig(null);
  }
}
