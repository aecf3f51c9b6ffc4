package io.buildindex.tagstore;

import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The current state of a tag: its digest, or a tombstone ({@code digest == null}) when deleted,
 * with the generation that wrote it. Tombstones are kept so an older write cannot resurrect a
 * deleted tag.
 */
public record TagRecord(Tag tag, @Nullable Digest digest, Generation generation, Instant updated) {
  public boolean deleted() {
    return digest == null;
  }

  /** The digest, empty for a tombstone. */
  public Optional<Digest> live() {
    return Optional.ofNullable(digest);
  }
}
