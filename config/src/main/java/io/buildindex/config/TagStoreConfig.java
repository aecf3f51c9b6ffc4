package io.buildindex.config;

/**
 * The {@code tagstore} section: read cache size. Each cached tag costs about 500 bytes of heap
 * (measured: see BENCHMARKS.md), so the default holds the hot set of a large registry in roughly
 * 130 MB.
 */
public record TagStoreConfig(Long cacheMaximumSize) {
  public static final long DEFAULT_CACHE_MAXIMUM_SIZE = 262_144;

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
