package io.buildindex.server;

import io.buildindex.tagstore.Page;
import io.buildindex.tagstore.TagStore;
import io.javalin.http.Context;
import org.jspecify.annotations.Nullable;

/** {@code GET /list/{prefix}} and {@code GET /repositories/{repo}/tags}, paged by opaque tokens. */
final class ListRoutes {
  private final TagStore store;

  ListRoutes(TagStore store) {
    this.store = store;
  }

  void register(Router r) {
    r.get("/list", Scope.READ, this::list);
    r.get("/list/<prefix>", Scope.READ, this::list);
    r.get("/repositories/{repo}/tags", Scope.READ, this::repositoryTags);
  }

  private void list(Context ctx) {
    String prefix = ctx.pathParamMap().containsKey("prefix") ? PathParams.unescape("prefix", ctx.pathParam("prefix")) : "";
    ListQuery q = ListQuery.from(ctx);
    respond(ctx, q, store.list(prefix, q.limit(), q.after()));
  }

  private void repositoryTags(Context ctx) {
    String repo = PathParams.repository(ctx);
    ListQuery q = ListQuery.from(ctx);
    respond(ctx, q, store.listRepository(repo, q.limit(), q.after()));
  }

  private static void respond(Context ctx, ListQuery q, Page page) {
    String self = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
    ctx.json(new ListBody(new ListBody.Links(next(ctx, q, page.nextAfter()), self), page.items().size(), page.items()));
  }

  private static String next(Context ctx, ListQuery q, @Nullable String after) {
    return after == null ? "" : ctx.path() + "?limit=" + q.limit() + "&offset=" + PageToken.encode(after);
  }
}
