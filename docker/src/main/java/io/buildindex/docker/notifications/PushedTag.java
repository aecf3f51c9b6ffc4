package io.buildindex.docker.notifications;

import io.buildindex.tagstore.Digest;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A tag a registry reported as pushed: {@code repository:tag -> digest}. Immutable.
 *
 * @param eventId the notification event's id, for {@link Notifications#firstSeen}; "" when the
 *     registry sent none
 * @param timestamp when the registry says the push happened; null when it sent none (or one that
 *     does not parse)
 */
public record PushedTag(String repository, String tag, Digest digest, String eventId, @Nullable Instant timestamp) {
  /** A push without a timestamp. */
  public PushedTag(String repository, String tag, Digest digest, String eventId) {
    this(repository, tag, digest, eventId, null);
  }


  public PushedTag {
    if (repository.isBlank()) {
      throw new IllegalArgumentException("blank repository in pushed tag " + repository + ":" + tag);
    }
    if (tag.isBlank()) {
      throw new IllegalArgumentException("blank tag in pushed tag " + repository + ":" + tag);
    }
  }
}
