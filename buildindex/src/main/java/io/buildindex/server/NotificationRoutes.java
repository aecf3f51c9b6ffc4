package io.buildindex.server;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.buildindex.docker.notifications.BadNotificationException;
import io.buildindex.docker.notifications.Notifications;
import io.buildindex.docker.notifications.PushedTag;
import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.InvalidInputException;
import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.Tag;
import org.jspecify.annotations.Nullable;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /notifications}: Docker Distribution registry events. Each manifest push with a tag
 * registers {@code repository:tag -> digest} (replicating when {@code notifications.replicate}).
 *
 * <p>Design: a registry retries an envelope until it gets a 2xx, and backs off meanwhile, so the
 * answer must be quick, but an event acknowledged and then lost is a tag that never appears. We
 * register the tags synchronously (a local manifest fetch and one group commit: milliseconds), and
 * answer an error when that fails so the registry redelivers; a redelivered event already
 * registered is skipped by its id. An event is marked seen only once registered.
 *
 * <p>Ids are remembered in memory only, so after a restart a redelivered old event is not
 * recognised. It still cannot roll the tag back: a push is written with the generation of the
 * event's timestamp (the time the registry says it happened), so the tag's later writes, newer
 * pushes included, supersede it under last-write-wins. A timestamp ahead of this node's clock, or
 * none, gets the clock's next generation, as a client's write does.
 */
final class NotificationRoutes {
  private final TagWrites writes;
  private final Notifications notifications;
  private final boolean replicate;
  private final Counter registered;
  private final Clock clock;

  NotificationRoutes(TagWrites writes, Notifications notifications, boolean replicate, MetricRegistry metrics,
      Clock clock) {
    this.writes = writes;
    this.notifications = notifications;
    this.replicate = replicate;
    this.registered = metrics.counter("notifications.registered");
    this.clock = clock;
  }

  void register(Router r) {
    r.post("/notifications", Scope.WRITE, this::receive);
  }

  private void receive(Context ctx) {
    List<PushedTag> pushed;
    try {
      pushed = notifications.parse(ctx.contentType(), RequestBodies.read(ctx));
    } catch (BadNotificationException e) {
      throw new InvalidInputException("notification", e.problem());
    }
    int count = 0;
    for (PushedTag p : pushed) {
      if (notifications.firstSeen(p.eventId())) {
        try {
          writes.put(new Tag(p.repository(), p.tag()), Digest.parse(p.digest().toString()), generationOf(p), replicate);
        } catch (RuntimeException e) {
          notifications.forget(p.eventId()); // so the registry's redelivery is not skipped
          throw e;
        }
        count++;
      }
    }
    registered.inc(count);
    ctx.json(Map.of("registered", count));
  }

  /** The push's time as a generation; null (the clock's next) without a timestamp or with one in the future. */
  private @Nullable Generation generationOf(PushedTag p) {
    Instant at = p.timestamp();
    if (at == null || at.isAfter(clock.instant())) {
      return null;
    }
    // The registry's sub-millisecond digits order pushes within one millisecond (16 ns steps fit the counter).
    return Generation.of(at.toEpochMilli(), (at.getNano() % 1_000_000) / 16);
  }
}
