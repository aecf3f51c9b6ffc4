package io.buildindex.server;

import io.buildindex.tagreplication.wire.PageTokens;
import io.buildindex.tagstore.Page;
import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagStore;
import io.javalin.http.Context;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /list/{prefix}} and {@code GET /repositories/{repo}/tags}, paged by opaque tokens.
 *
 * <p>Design: Kraken's proxy lists a repository's tags ({@code GET /v2/<repo>/tags/list}) with
 * {@code tagclient.List("/" + repo + "/_manifests/tags")}, i.e. {@code GET /list//<repo>/_manifests/tags},
 * which Kraken's build-index answers from its docker-tag backend path with the repository's
 * {@code repo:tag} names. No tag key can start with such a prefix ({@code _} cannot start a
 * repository component), so that form is read as "this repository's tags" and nothing else.
 */
final class ListRoutes {
  /** What Kraken's proxy appends to a repository to list its tags. */
  static final String KRAKEN_TAGS_SUFFIX = "/_manifests/tags";

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
    respond(ctx, q, store.list(krakenRepositoryPrefix(prefix), q.limit(), q.after()));
  }

  /** {@code [/]<repo>/_manifests/tags} becomes {@code <repo>:} (exactly that repository's tags); anything else is itself. */
  private static String krakenRepositoryPrefix(String prefix) {
    if (!prefix.endsWith(KRAKEN_TAGS_SUFFIX)) {
      return prefix;
    }
    String repo = prefix.substring(prefix.startsWith("/") ? 1 : 0, prefix.length() - KRAKEN_TAGS_SUFFIX.length());
    return Tag.checkRepository(repo) + ":";
  }

  private void repositoryTags(Context ctx) {
    String repo = PathParams.repository(ctx);
    ListQuery q = ListQuery.from(ctx);
    respond(ctx, q, store.listRepository(repo, q.limit(), q.after()));
  }

  private static void respond(Context ctx, ListQuery q, Page page) {
    String self = q.clamped() ? clampedSelf(ctx, q) : ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
    ctx.json(new ListBody(new ListBody.Links(next(ctx, q, page.nextAfter()), self), page.items().size(), page.items()));
  }

  /** A clamped limit shows in {@code Links.self} as the limit that was applied. */
  private static String clampedSelf(Context ctx, ListQuery q) {
    String offset = ctx.queryParam("offset");
    return ctx.path() + "?limit=" + q.limit() + (offset == null || offset.isEmpty() ? "" : "&offset=" + offset);
  }

  private static String next(Context ctx, ListQuery q, @Nullable String after) {
    return after == null ? "" : ctx.path() + "?limit=" + q.limit() + "&offset=" + PageTokens.encode(PageTokens.TAGS, after);
  }
}
