package io.buildindex.config;

/**
 * The {@code tagstore} section: read cache size. Each cached tag costs about 500 bytes of heap
 * (measured: see BENCHMARKS.md), so the default holds the hot set of a large registry (the tags
 * builds and deployments keep reading, far fewer than all tags) in roughly 32 MB; a miss costs one
 * indexed SQLite read.
 */
public record TagStoreConfig(Long cacheMaximumSize) {
  public static final long DEFAULT_CACHE_MAXIMUM_SIZE = 65_536;

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
