package io.buildindex.server;

import io.buildindex.tagstore.HistoryEntry;
import io.buildindex.tagstore.InvalidInputException;
import io.buildindex.tagstore.PutResult;
import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagRecord;
import io.buildindex.tagstore.TagStore;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Kraken's tag routes ({@code PUT}, {@code GET}, {@code HEAD} of {@code /tags/...}) plus delete and history. */
final class TagRoutes {
  /** Enough for any audit of one tag; older entries stay in the database. */
  static final int HISTORY_LIMIT = 1000;

  private final TagWrites writes;
  private final TagStore store;

  TagRoutes(TagWrites writes, TagStore store) {
    this.writes = writes;
    this.store = store;
  }

  void register(Javalin app) {
    app.put("/tags/{tag}/digest/{digest}", this::put, Scope.WRITE);
    app.get("/tags/{tag}", this::get, Scope.READ);
    app.head("/tags/{tag}", this::get, Scope.READ);
    app.delete("/tags/{tag}", this::delete, Scope.WRITE);
    app.get("/tags/{tag}/history", this::history, Scope.READ);
  }

  private void put(Context ctx) {
    Tag tag = PathParams.tag(ctx);
    var digest = PathParams.digest(ctx);
    replicateParam(ctx);
    PutResult result = writes.put(tag, digest, Headers.generation(ctx));
    Headers.writeResult(ctx, result);
    ctx.status(200);
  }

  private void get(Context ctx) {
    Optional<TagRecord> record = store.record(PathParams.tag(ctx));
    record.ifPresent(r -> ctx.header(Headers.GENERATION, r.generation().toString()));
    if (record.isEmpty() || record.get().deleted()) {
      ErrorMapping.emptyNotFound(ctx);
      return;
    }
    ctx.contentType("text/plain").result(String.valueOf(record.get().digest()));
  }

  private void delete(Context ctx) {
    Tag tag = PathParams.tag(ctx);
    var generation = Headers.generation(ctx);
    // A replicated delete (with a generation) stores a tombstone even for a tag this node never had.
    if (generation == null && store.get(tag).isEmpty()) {
      throw HttpProblem.notFound("");
    }
    Headers.writeResult(ctx, writes.delete(tag, generation));
    ctx.status(204);
  }

  private void history(Context ctx) {
    Tag tag = PathParams.tag(ctx);
    List<HistoryEntry> entries = store.history(tag, HISTORY_LIMIT);
    if (entries.isEmpty()) {
      throw HttpProblem.notFound("");
    }
    ctx.json(entries.stream().map(HistoryJson::of).toList());
  }

  /** {@code ?replicate=true|false}; anything else is a 400 rather than silently false. */
  static boolean replicateParam(Context ctx) {
    String value = ctx.queryParam("replicate");
    if (value == null || value.equals("false")) {
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
