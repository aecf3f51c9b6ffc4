package io.buildindex.server;

import io.buildindex.tagreplication.DestinationStatus;
import io.buildindex.tagreplication.Replication;
import io.buildindex.tagreplication.TaskFilter;
import io.buildindex.tagreplication.TaskPage;
import io.buildindex.tagreplication.TaskState;
import io.buildindex.tagreplication.TaskStatus;
import io.buildindex.tagreplication.VerificationStatus;
import io.buildindex.tagstore.InvalidInputException;
import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagRecord;
import io.buildindex.tagstore.TagStore;
import io.javalin.http.Context;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Replication to other datacenters: Kraken's {@code POST /remotes/tags/{tag}}, and our status and
 * steering API (per-tag status, destination health, task listing and retry, backfill progress, rule matching).
 */
final class RemoteRoutes {
  private final TagStore store;
  private final TagWrites writes;
  private final Replication replication;

  RemoteRoutes(TagStore store, TagWrites writes, Replication replication) {
    this.store = store;
    this.writes = writes;
    this.replication = replication;
  }

  void register(Router r) {
    r.post("/remotes/tags/{tag}", Scope.WRITE, this::replicate);
    r.get("/remotes/match", Scope.READ, this::match);
    r.get("/tags/{tag}/replication", Scope.READ, this::status);
    r.get("/replication/tasks", Scope.ADMIN, this::tasks);
    r.post("/replication/tasks/retry", Scope.ADMIN, this::retry);
    r.get("/replication/backfill", Scope.ADMIN, ctx -> ctx.json(replication.backfill()));
    r.get("/replication/destinations", Scope.ADMIN,
        ctx -> ctx.json(replication.destinations().stream().map(DestinationJson::of).toList()));
  }

  private void replicate(Context ctx, PathTemplate.Params params) {
    Optional<TagRecord> current = store.record(PathParams.tag(params)).filter(r -> !r.deleted());
    if (current.isEmpty()) {
      throw HttpProblem.notFound("");
    }
    writes.replicateExisting(current.get());
    ctx.status(200);
  }

  private void status(Context ctx, PathTemplate.Params params) {
    Tag tag = PathParams.tag(params);
    Map<String, VerificationStatus> verified = new HashMap<>();
    replication.verification(tag).forEach(v -> verified.put(v.destination(), v));
    List<TaskStatus> tasks = replication.status(tag);
    Map<String, DestinationStatus> health = new HashMap<>();
    if (!tasks.isEmpty()) {
      replication.destinations().forEach(d -> health.put(d.destination(), d));
    }
    ctx.json(tasks.stream().map(t -> TaskJson.of(t, verified.get(t.destination()), health.get(t.destination()))).toList());
  }

  private void match(Context ctx) {
    String tag = ctx.queryParam("tag");
    if (tag == null) {
      throw new InvalidInputException("tag", "query parameter is required");
    }
    ctx.json(replication.match(Tag.parse(tag)));
  }

  private void tasks(Context ctx) {
    ListQuery.checkKeys(ctx, Set.of("state", "destination", "limit", "offset"));
    int limit = ListQuery.limit(ctx, 100, Replication.MAX_PAGE);
    TaskPage page = replication.tasks(filter(ctx), limit, ctx.queryParam("offset"));
    String next = page.nextOffset() == null ? "" : ctx.path() + "?" + nextQuery(ctx, limit, page.nextOffset());
    ctx.json(Map.of("tasks", page.tasks().stream().map(TaskJson::of).toList(), "next", next));
  }

  private void retry(Context ctx) {
    ListQuery.checkKeys(ctx, Set.of("state", "destination"));
    ctx.json(Map.of("retried", replication.retry(filter(ctx))));
  }

  private static TaskFilter filter(Context ctx) {
    String state = ctx.queryParam("state");
    String destination = ctx.queryParam("destination");
    TaskState parsed = null;
    if (state != null) {
      try {
        parsed = TaskState.valueOf(state.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException("state", "want pending, running, failed, dead or done, got \"" + state + "\"");
      }
    }
    if (destination != null && destination.isBlank()) {
      throw new InvalidInputException("destination", "must not be blank");
    }
    return new TaskFilter(parsed, destination);
  }

  private static String nextQuery(Context ctx, int limit, String offset) {
    StringBuilder q = new StringBuilder("limit=").append(limit).append("&offset=").append(offset);
    for (String key : new String[] {"state", "destination"}) {
      String v = ctx.queryParam(key);
      if (v != null) {
        q.append('&').append(key).append('=').append(java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    return q.toString();
  }
}
