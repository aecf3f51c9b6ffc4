package io.buildindex.server;

import io.buildindex.cluster.Neighbors;
import io.buildindex.cluster.RemoteTag;
import io.buildindex.tagreplication.wire.NodeHeaders;
import io.buildindex.tagstore.HistoryEntry;
import io.buildindex.tagstore.InvalidInputException;
import io.buildindex.tagstore.PutResult;
import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagRecord;
import io.buildindex.tagstore.TagStore;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Kraken's tag routes ({@code PUT}, {@code GET}, {@code HEAD} of {@code /tags/...}) plus delete and
 * history. {@link Router#get} registers each GET's HEAD twin.
 */
final class TagRoutes {
  /** Enough for any audit of one tag; older entries stay in the database. */
  static final int HISTORY_LIMIT = 1000;

  private final TagWrites writes;
  private final TagStore store;
  private final Neighbors neighbors;

  TagRoutes(TagWrites writes, TagStore store, Neighbors neighbors) {
    this.writes = writes;
    this.store = store;
    this.neighbors = neighbors;
  }

  void register(Router r) {
    r.put("/tags/{tag}/digest/{digest}", Scope.WRITE, this::put);
    r.get("/tags/{tag}", Scope.READ, this::get);
    r.delete("/tags/{tag}", Scope.WRITE, this::delete);
    r.get("/tags/{tag}/history", Scope.READ, this::history);
  }

  private void put(Context ctx, PathTemplate.Params params) {
    Tag tag = PathParams.tag(params);
    var digest = PathParams.digest(params);
    boolean replicate = replicateParam(ctx, false);
    PutResult result = routed(ctx) ? writes.putHere(tag, digest, Headers.generation(ctx), replicate)
        : writes.put(tag, digest, Headers.generation(ctx), replicate);
    Headers.writeResult(ctx, result);
    ctx.status(200);
  }

  /** Whether a non-owner routed this client write here: store it, route it no further. */
  private static boolean routed(Context ctx) {
    return ctx.header(NodeHeaders.ROUTED) != null;
  }

  /*
   * On an owner: local store first; on a miss, unless the request was itself forwarded by a node,
   * ask the tag's other owners (it may be catching up after a disk loss). A local tombstone is an
   * answer: deleted tags are not looked up elsewhere. On a node that does not own the tag, the
   * owners answer: a copy here (left from before writes were routed, or from when this node owned
   * the tag) would miss their later writes, so it is used only when no owner can be asked.
   */
  private void get(Context ctx, PathTemplate.Params params) {
    Tag tag = PathParams.tag(params);
    boolean forwarded = ctx.header(NodeHeaders.FORWARDED) != null;
    if (!forwarded && !neighbors.owns(tag)) {
      Neighbors.OwnersRead read = neighbors.askOwners(tag);
      if (read.answered()) {
        answer(ctx, read.tag());
        return;
      }
    }
    Optional<TagRecord> record = store.record(tag);
    if (record.isPresent()) {
      ctx.header(NodeHeaders.GENERATION, record.get().generation().toString());
      if (record.get().deleted()) {
        ErrorMapping.emptyNotFound(ctx);
      } else {
        ctx.contentType("text/plain").result(String.valueOf(record.get().digest()));
      }
      return;
    }
    answer(ctx, forwarded ? Optional.empty() : neighbors.readFromOwners(tag));
  }

  private static void answer(Context ctx, Optional<RemoteTag> remote) {
    if (remote.isEmpty()) {
      ErrorMapping.emptyNotFound(ctx);
      return;
    }
    ctx.header(NodeHeaders.GENERATION, remote.get().generation().toString());
    ctx.contentType("text/plain").result(remote.get().digest().toString());
  }

  private void delete(Context ctx, PathTemplate.Params params) {
    Tag tag = PathParams.tag(params);
    var generation = Headers.generation(ctx);
    boolean fromNeighbor = ctx.header(NodeHeaders.FORWARDED) != null;
    boolean replicate = replicateParam(ctx, true);
    if (!fromNeighbor && !routed(ctx) && !neighbors.owns(tag)) {
      Headers.writeResult(ctx, writes.delete(tag, generation, replicate, false)); // routed to an owner, 404 included
      ctx.status(204);
      return;
    }
    // A replicated delete (with a generation) stores a tombstone even for a tag this node never had.
    if (generation == null && !liveForDelete(tag, fromNeighbor)) {
      throw HttpProblem.notFound("");
    }
    Headers.writeResult(ctx, writes.deleteHere(tag, generation, replicate, fromNeighbor));
    ctx.status(204);
  }

  /*
   * Whether a client's delete on an owner finds the tag: as a read does, a local miss (not a
   * tombstone) asks the other owners, since a put another owner acknowledged may not have been
   * duplicated here yet; deleting it then stores the tombstone here and sends it to them.
   */
  private boolean liveForDelete(Tag tag, boolean fromNeighbor) {
    Optional<TagRecord> record = store.record(tag);
    if (record.isPresent()) {
      return !record.get().deleted();
    }
    return !fromNeighbor && neighbors.readFromOwners(tag).isPresent();
  }

  private void history(Context ctx, PathTemplate.Params params) {
    Tag tag = PathParams.tag(params);
    List<HistoryEntry> entries = store.history(tag, HISTORY_LIMIT);
    if (entries.isEmpty()) {
      throw HttpProblem.notFound("");
    }
    ctx.json(entries.stream().map(HistoryJson::of).toList());
  }

  /** {@code ?replicate=true|false}; anything else is a 400 rather than silently the default. */
  static boolean replicateParam(Context ctx, boolean absent) {
    var values = ctx.queryParamMap().get("replicate");
    if (values == null) {
      return absent;
    }
    ListQuery.checkDecodable("replicate", values);
    String value = values.get(0);
    if (value.equals("false")) {
      return false;
    }
    if (value.equals("true")) {
      return true;
    }
    throw new InvalidInputException("replicate", "want true or false, got \"" + value + "\"");
  }

  /** One history entry on the wire. */
  record HistoryJson(String digest, Instant time, long generation) {
    static HistoryJson of(HistoryEntry e) {
      return new HistoryJson(e.digest().toString(), e.time(), e.generation().value());
    }
  }
}
