package io.buildindex.server;

import io.buildindex.tagreplication.WriteBatch;
import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.InvalidInputException;
import io.buildindex.tagstore.PutResult;
import io.buildindex.tagstore.Tag;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * {@code POST /replication/writes}: a batch of replicated writes from another build-index
 * ({@link WriteBatch}). Each write goes through the same path as {@code PUT ...?replicate=true}
 * (or {@code DELETE ...?replicate=true}) carrying {@code X-Tag-Generation}: dependency checks,
 * last-write-wins, this node's own replication tasks, duplication to the tag's other owners.
 * A refused write gets the status its single request would have had; the others still apply.
 *
 * <p>Design: the writes run concurrently on virtual threads, so the store's group commit makes
 * one fsync of many of them, and resolvers that ask the registry overlap their round trips.
 */
final class WriteBatchRoutes {
  /** Writes of one batch in flight at once: enough for group commit, bounded for resolvers that call the registry. */
  static final int PARALLELISM = 64;

  private final TagWrites writes;

  WriteBatchRoutes(TagWrites writes) {
    this.writes = writes;
  }

  void register(Router r) {
    r.post(WriteBatch.PATH, Scope.REPLICATE, this::apply); // every write carries its generation
  }

  private void apply(Context ctx) throws IOException, InterruptedException {
    WriteBatch.Request request = InternalRoutes.body(ctx, WriteBatch.Request.class);
    if (request.writes().size() > WriteBatch.MAX_WRITES) {
      throw new InvalidInputException("writes", "at most " + WriteBatch.MAX_WRITES + " per request, got " + request.writes().size());
    }
    ctx.json(new WriteBatch.Response(applyAll(request.writes())));
  }

  private List<WriteBatch.Result> applyAll(List<WriteBatch.Write> batch) throws InterruptedException {
    if (batch.size() == 1) { // an idle source's batch: a thread of its own would only add a hand-off to the lag
      return List.of(applyOne(batch.get(0)));
    }
    Semaphore permits = new Semaphore(PARALLELISM);
    List<Future<WriteBatch.Result>> pending = new ArrayList<>(batch.size());
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (WriteBatch.Write w : batch) {
        pending.add(threads.submit(() -> {
          permits.acquire();
          try {
            return applyOne(w);
          } finally {
            permits.release();
          }
        }));
      }
      List<WriteBatch.Result> results = new ArrayList<>(batch.size());
      for (Future<WriteBatch.Result> f : pending) {
        results.add(f.get());
      }
      return results;
    } catch (ExecutionException e) {
      throw new IllegalStateException("applyOne never throws", e.getCause());
    }
  }

  private WriteBatch.Result applyOne(WriteBatch.Write w) {
    try {
      if (w.tag() == null) {
        throw new InvalidInputException("tag", "required");
      }
      if (w.generation() == null) {
        throw new InvalidInputException("generation", "required");
      }
      Tag tag = Tag.parse(w.tag());
      Generation generation = new Generation(w.generation());
      PutResult r = w.digest() == null
          ? writes.delete(tag, generation, true, false)
          : writes.put(tag, Digest.parse(w.digest()), generation, true);
      return WriteBatch.Result.written(r.outcome().name().toLowerCase(Locale.ROOT), r.current().generation().value());
    } catch (Exception e) {
      ErrorMapping.Problem p = ErrorMapping.problem(e);
      String message = p.message();
      if (p.serverFault()) {
        message += " (error id " + ErrorMapping.logFault("POST " + WriteBatch.PATH + " write of " + w.tag(), p.status(), e) + ")";
      }
      return WriteBatch.Result.refused(p.status(), message);
    }
  }
}
