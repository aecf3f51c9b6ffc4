package io.buildindex.docker.notifications;

import io.buildindex.docker.Digest;

/**
 * A tag a registry reported as pushed: {@code repository:tag -> digest}. Immutable.
 *
 * @param eventId the notification event's id, for {@link Notifications#firstSeen}; "" when the
 *     registry sent none
 */
public record PushedTag(String repository, String tag, Digest digest, String eventId) {
  public PushedTag {
    if (repository.isBlank()) {
      throw new IllegalArgumentException("blank repository in pushed tag " + repository + ":" + tag);
    }
    if (tag.isBlank()) {
      throw new IllegalArgumentException("blank tag in pushed tag " + repository + ":" + tag);
    }
  }
}
