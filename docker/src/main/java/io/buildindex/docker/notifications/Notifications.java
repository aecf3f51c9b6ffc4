package io.buildindex.docker.notifications;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Turns registry notifications into pushed tags and filters out redelivered events. The server's
 * {@code POST /notifications} route calls {@link #parse}, then keeps the tags whose event is
 * {@link #firstSeen}. Thread-safe.
 */
public final class Notifications {
  /** Registries redeliver recent events (after a timeout or a restart), not old ones: a few thousand is plenty. */
  public static final long DEFAULT_MAXIMUM_EVENT_IDS = 10_000;

  /* Design: a registry delivers each envelope at least once, retrying until it gets a 2xx, so a
   * slow answer means a second copy of the same events. Their ids are remembered in a bounded
   * Caffeine cache: losing an old id only costs re-registering a tag with the digest it already
   * has, which is harmless, while an unbounded set would grow forever. */

  private final Cache<String, Boolean> seen;

  public Notifications() {
    this(DEFAULT_MAXIMUM_EVENT_IDS);
  }

  /** Remembers at most {@code maximumEventIds} ids; beyond that Caffeine's size eviction forgets some. */
  public Notifications(long maximumEventIds) {
    if (maximumEventIds < 1) {
      throw new IllegalArgumentException("maximumEventIds < 1: " + maximumEventIds);
    }
    // Same-thread maintenance: eviction is cheap, and tests see a settled cache.
    this.seen = Caffeine.newBuilder().maximumSize(maximumEventIds).executor(Runnable::run).build();
  }

  /**
   * The tags pushed by the manifest push events of an envelope, in event order; pull, delete and
   * mount events, blob pushes and manifest pushes without a tag are left out.
   *
   * @param contentType the request's Content-Type: the registry's events media types,
   *     {@code application/json}, or none
   * @throws BadNotificationException when the request is not such an envelope
   */
  public List<PushedTag> parse(@Nullable String contentType, byte[] body) {
    return NotificationParser.parse(contentType, body);
  }

  /** True the first time {@code eventId} is offered, false for a redelivery. An empty id is always new. */
  public boolean firstSeen(String eventId) {
    return eventId.isEmpty() || seen.asMap().putIfAbsent(eventId, Boolean.TRUE) == null;
  }

  /** Forgets {@code eventId}, so that a redelivery of an event whose processing failed is processed again. */
  public void forget(String eventId) {
    seen.invalidate(eventId);
  }

  /** How many ids are remembered now. */
  long rememberedIds() {
    return seen.estimatedSize();
  }
}
