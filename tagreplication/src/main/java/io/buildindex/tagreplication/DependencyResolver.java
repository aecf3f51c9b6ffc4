package io.buildindex.tagreplication;

import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Tag;
import java.util.List;

/**
 * The blobs a tag depends on, for tasks that no caller describes (backfill). Writes pass their
 * dependencies explicitly. Must be thread-safe.
 */
@FunctionalInterface
public interface DependencyResolver {
  /** The digest alone: what a tag of a non-image type depends on. */
  DependencyResolver DIGEST_ONLY = (tag, digest) -> List.of(digest);

  /** Throws any unchecked exception when the dependencies cannot be determined now. */
  List<Digest> resolve(Tag tag, Digest digest);
}
