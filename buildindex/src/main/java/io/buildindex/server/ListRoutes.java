package io.buildindex.server;

import io.buildindex.cluster.Listing;
import io.buildindex.tagreplication.wire.MemberList;
import io.buildindex.tagreplication.wire.NodeHeaders;
import io.buildindex.tagreplication.wire.PageTokens;
import io.buildindex.tagstore.InvalidInputException;
import io.buildindex.tagstore.Page;
import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagStore;
import io.javalin.http.Context;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /list/{prefix}} and {@code GET /repositories/{repo}/tags}, paged by opaque tokens.
 *
 * <p>Design: Kraken's proxy lists a repository's tags ({@code GET /v2/<repo>/tags/list}) with
 * {@code tagclient.List("/" + repo + "/_manifests/tags")}, i.e. {@code GET /list//<repo>/_manifests/tags},
 * which Kraken's build-index answers from its docker-tag backend path with the repository's
 * {@code repo:tag} names. No tag key can start with such a prefix ({@code _} cannot start a
 * repository component), so that form is read as "this repository's tags" and nothing else.
 *
 * <p>Pages come from the {@link Listing}: in ring mode every member's tags merged, so any node
 * answers with the whole cluster's list. A request marked {@link NodeHeaders#FORWARDED} is
 * answered from this node's store alone, as is {@code GET /internal/list}, the members' side of
 * a ring listing (records with generations and tombstones, for the merge).
 */
final class ListRoutes {
  /** What Kraken's proxy appends to a repository to list its tags. */
  static final String KRAKEN_TAGS_SUFFIX = "/_manifests/tags";

  private static final Set<String> MEMBER_KEYS = Set.of("prefix", "after", "limit");

  private final Listing listing;
  private final TagStore store;
  private final Listing local;

  /** {@code listing} answers clients; {@code store} answers members and forwarded requests. */
  ListRoutes(Listing listing, TagStore store) {
    this.listing = listing;
    this.store = store;
    this.local = Listing.local(store);
  }

  void register(Router r) {
    r.get("/list", Scope.READ, ctx -> list(ctx, ""));
    r.get("/list/<prefix>", Scope.READ, (ctx, params) -> list(ctx, PathParams.unescape("prefix", params.get("prefix"))));
    r.get("/repositories/{repo}/tags", Scope.READ, this::repositoryTags);
    r.get(MemberList.PATH, Scope.CLUSTER, this::memberPage);
  }

  private Listing listing(Context ctx) {
    return ctx.header(NodeHeaders.FORWARDED) != null ? local : listing;
  }

  private void list(Context ctx, String prefix) {
    ListQuery q = ListQuery.from(ctx);
    respond(ctx, q, listing(ctx).list(krakenRepositoryPrefix(prefix), q.limit(), q.after()));
  }

  /** The members' side of a ring listing: this node's own records, tombstones included. */
  private void memberPage(Context ctx) {
    ListQuery.checkKeys(ctx, MEMBER_KEYS);
    String prefix = ctx.queryParam("prefix");
    if (prefix == null) {
      throw new InvalidInputException("prefix", "is required");
    }
    int limit = ListQuery.limit(ctx, MemberList.MAX_LIMIT, MemberList.MAX_LIMIT);
    ctx.json(Listing.memberPage(store, prefix, ctx.queryParam("after"), limit));
  }

  /** {@code [/]<repo>/_manifests/tags} becomes {@code <repo>:} (exactly that repository's tags); anything else is itself. */
  private static String krakenRepositoryPrefix(String prefix) {
    if (!prefix.endsWith(KRAKEN_TAGS_SUFFIX)) {
      return prefix;
    }
    String repo = prefix.substring(prefix.startsWith("/") ? 1 : 0, prefix.length() - KRAKEN_TAGS_SUFFIX.length());
    return Tag.checkRepository(repo) + ":";
  }

  private void repositoryTags(Context ctx, PathTemplate.Params params) {
    String repo = PathParams.repository(params);
    ListQuery q = ListQuery.from(ctx);
    String prefix = repo + ":";
    Page page = listing(ctx).list(prefix, q.limit(), q.after() == null ? null : prefix + q.after());
    respond(ctx, q, new Page(page.items().stream().map(k -> k.substring(prefix.length())).toList(),
        page.nextAfter() == null ? null : page.nextAfter().substring(prefix.length())));
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
