package io.buildindex.tagreplication;

import io.buildindex.database.LocalDb;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persists finished attempts in batches on its own thread: workers hand results over and move on,
 * and one {@link LocalDb#write} records everything that finished while the previous one synced.
 *
 * <p>Design: a worker does not wait for its result to be durable. Until it is, the row stays
 * {@code running}, so no one claims it again; if the process dies first, the restart resets it to
 * pending and the attempt is repeated, which is safe because attempts are idempotent. After each
 * batch the lanes learn when the rows it left waiting (retries, rows a newer write replaced) are due.
 */
final class ResultWriter {
  private static final Logger log = LoggerFactory.getLogger(ResultWriter.class);
  /** Results per transaction at most: a few milliseconds of writer time. */
  static final int MAX_BATCH = 4_096;
  /** Pause before writing a batch again after the database failed. */
  static final Duration ERROR_PAUSE = Duration.ofSeconds(1);

  private final LocalDb db;
  private final SqliteTaskResults results;
  private final Consumer<List<DestinationDue>> wakes;
  private final Consumer<Finished> recorded;
  private final Consumer<List<Finished>> written;
  /** Empty is the stop signal. */
  private final BlockingQueue<Optional<Finished>> queue = new LinkedBlockingQueue<>();
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile Thread thread = Thread.ofPlatform().unstarted(() -> {});
  private volatile boolean closed;

  /**
   * {@code wakes} receives when the rows a batch left waiting are due; {@code recorded} each
   * result once its row holds it (results a newer write overtook never reach it); {@code written}
   * every batch once committed, whether its rows took the results or not (the tasks are no longer
   * this node's to hold).
   */
  ResultWriter(LocalDb db, SqliteTaskResults results, Consumer<List<DestinationDue>> wakes, Consumer<Finished> recorded,
      Consumer<List<Finished>> written) {
    this.db = db;
    this.results = results;
    this.wakes = wakes;
    this.recorded = recorded;
    this.written = written;
  }

  ResultWriter(LocalDb db, SqliteTaskResults results, Consumer<List<DestinationDue>> wakes, Consumer<Finished> recorded) {
    this(db, results, wakes, recorded, batch -> { });
  }

  void start() {
    thread = Thread.ofPlatform().name("replication-results").daemon().start(this::run);
  }

  /** Queues {@code f} for the next batch; after {@link #close} it is dropped (the row stays running). */
  void add(Finished f) {
    if (!closed) {
      queue.add(Optional.of(f));
    }
  }

  private void run() {
    List<Optional<Finished>> items = new ArrayList<>();
    boolean stop = false;
    while (!stop) {
      try {
        items.add(queue.take());
      } catch (InterruptedException e) {
        return;
      }
      queue.drainTo(items, MAX_BATCH - 1);
      stop = items.stream().anyMatch(Optional::isEmpty);
      write(items.stream().flatMap(Optional::stream).toList());
      items.clear();
    }
  }

  private void write(List<Finished> batch) {
    while (!batch.isEmpty()) {
      try {
        SqliteTaskResults.Outcome outcome = db.write(tx -> results.finish(tx, batch));
        written.accept(batch);
        outcome.recorded().forEach(recorded);
        wakes.accept(outcome.wakes());
        return;
      } catch (Throwable e) { // an Error too: this thread dying would leave every task running
        log.error("recording {} replication results failed; trying again in {}", batch.size(), ERROR_PAUSE, e);
        if (!pause()) {
          return; // closing: the rows stay running and are reset at the next start
        }
      }
    }
  }

  private boolean pause() {
    try {
      return !closing.await(ERROR_PAUSE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Why the writer does not run although it was started and not closed; empty while it runs. */
  Optional<String> failure() {
    Thread t = thread;
    return closed || t.getState() == Thread.State.NEW || t.isAlive() ? Optional.empty()
        : Optional.of("the replication result writer thread has ended");
  }

  /** Writes what is queued, then stops; later results are dropped. */
  void close() {
    closed = true;
    queue.add(Optional.empty());
    closing.countDown();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
