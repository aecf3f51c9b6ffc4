package io.buildindex.docker;

import io.buildindex.tagstore.Digest;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What reconciliation with the registry reads and writes in build-index: the state of a tag, and
 * registering a tag it does not know. Implementations must be thread-safe.
 */
public interface TagIndex {
  /** What build-index holds for a tag: {@code digest} null when it was deleted (a tombstone). */
  record Held(@Nullable String digest) {}

  /** Empty when build-index never had {@code repository:tag}. */
  Optional<Held> lookup(String repository, String tag);

  /**
   * Registers {@code repository:tag -> digest} as a registry notification would. Throws any
   * unchecked exception when it cannot (the tag is then counted as an error and tried again at
   * the next walk).
   */
  void register(String repository, String tag, Digest digest);

  /**
   * Whether this node should walk the registry now: in a cluster one member does, since every
   * member's walk would find the same tags.
   */
  default boolean responsible() {
    return true;
  }
}
