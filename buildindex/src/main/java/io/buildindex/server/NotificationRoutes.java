package io.buildindex.server;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.buildindex.docker.notifications.BadNotificationException;
import io.buildindex.docker.notifications.Notifications;
import io.buildindex.docker.notifications.PushedTag;
import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.InvalidInputException;
import io.buildindex.tagstore.Tag;
import io.javalin.http.Context;
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
 */
final class NotificationRoutes {
  private final TagWrites writes;
  private final Notifications notifications;
  private final boolean replicate;
  private final Counter registered;

  NotificationRoutes(TagWrites writes, Notifications notifications, boolean replicate, MetricRegistry metrics) {
    this.writes = writes;
    this.notifications = notifications;
    this.replicate = replicate;
    this.registered = metrics.counter("notifications.registered");
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
          writes.put(new Tag(p.repository(), p.tag()), Digest.parse(p.digest().toString()), null, replicate);
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
}
