package io.buildindex.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the writes of one node that arrive together in one PostgreSQL transaction (group commit): a
 * write waits in a queue, a writer thread takes every write queued (up to {@link #MAX_BATCH}) and
 * hands them to {@link Writes#batch} as one batch.
 *
 * <p>Why: on a shared server each write costs the node and the server a round trip for its
 * statements and another for its COMMIT, plus the server's work per transaction; under load that
 * overhead, not the data, is what the node and the server spend their CPU on. Running the writes
 * that queue up while a batch runs in the next one pays it once per batch (three nodes on one
 * server, in BENCHMARKS.md "Shared mode": about twice the PUT/s of a transaction per write).
 *
 * <p>One writer takes batches; the batch it runs is what clocks the next one's size, so a node
 * under load runs big batches and a node with one write at a time runs batches of one. More
 * writers (up to {@code overflow}) start a batch only while a full batch or more is waiting, which
 * happens when the database is far enough away that one writer's round trips cannot keep up; a
 * second writer sooner would only split the batches and pay the commit twice.
 *
 * <p>What a batch may not do is fail for one write's sake: when any write of a batch throws, or its
 * transaction is aborted (serialization failure, deadlock or lock timeout against another node's
 * batch), each write of it is handed back to its caller ({@link Pending#runAlone}), which runs it
 * alone with the usual retries ({@link Writes#alone}): a write fails only for its own reasons, and
 * a write that must wait for a row lock waits on its own thread, not the writer's. A connection
 * failure fails the whole batch at once with {@link StoreUnavailableException} (nothing is retried
 * whose commit may have happened).
 */
final class PostgresGroupCommit implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PostgresGroupCommit.class);
  /** Writes per transaction at most: bounds a batch's time holding row locks and a connection. */
  static final int MAX_BATCH = 64;

  /** Runs writes: batches on the writer threads, single writes on their callers' threads. */
  interface Writes {
    /**
     * Runs {@code batch} in one transaction, completing each write with its result once committed
     * (and its notices sent), as a failure, or with {@link Pending#runAlone}; must complete every
     * one of them, whatever happens.
     */
    void batch(List<Pending<?>> batch);

    /** Runs {@code op} alone in its own transaction, with retries (on the caller's thread). */
    <T> T alone(LocalDb.WriteOp<T> op);
  }

  /** A queued write and the future its caller waits on. */
  static final class Pending<T> {
    /** The whole write, its bulk step included: how it runs alone. */
    final LocalDb.WriteOp<T> op;
    /** Its bulk step, shared with the batch's other writes of the same instance; null if none. */
    final LocalDb.@Nullable Bulk<Object, Object> bulk;
    /** What it contributes to {@link #bulk}. */
    final @Nullable Object key;
    private final LocalDb.@Nullable BulkWriteOp<Object, T> afterBulk;
    final CompletableFuture<T> future = new CompletableFuture<>();

    Pending(LocalDb.WriteOp<T> op) {
      this.op = op;
      this.bulk = null;
      this.key = null;
      this.afterBulk = null;
    }

    @SuppressWarnings("unchecked") // a bulk's results go back only to the ops of the same bulk
    <K, P> Pending(LocalDb.Bulk<K, P> bulk, K key, LocalDb.BulkWriteOp<P, T> op) {
      this.op = tx -> op.apply(tx, null);
      this.bulk = (LocalDb.Bulk<Object, Object>) bulk;
      this.key = key;
      this.afterBulk = (LocalDb.BulkWriteOp<Object, T>) op;
    }

    /** Runs the write in a batch, after the bulk steps; {@code done} is what its bulk step did for it. */
    T applyInBatch(Connection tx, @Nullable Object done) throws SQLException {
      return afterBulk == null ? op.apply(tx) : afterBulk.apply(tx, done);
    }

    /**
     * Hands the write back to its caller, to run alone: its batch failed (for this write's sake or
     * another's). On the caller's thread, so that a write that waits (a row lock held by another
     * node) holds up only its own request, not the writer's next batches.
     */
    void runAlone() {
      future.completeExceptionally(RUN_ALONE);
    }
  }

  /** Queued by {@link #close} behind the last write: the writer stops when it takes it. */
  private static final Pending<Void> STOP = new Pending<>(tx -> null);

  /** Completes a {@link Pending} whose caller runs it alone; never escapes {@link #write}. */
  private static final RuntimeException RUN_ALONE = new RuntimeException("run alone", null, false, false) { };

  private final Writes writes;
  private final LinkedBlockingQueue<Pending<?>> queue = new LinkedBlockingQueue<>();
  private final List<Thread> threads = new ArrayList<>();
  /* The closed check and the add happen under the read lock, and close() sets the flag under the
   * write lock: no write is queued once the writers may have drained the queue for the last time. */
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  /** Overflow writers wait on it for a full batch to be waiting. */
  private final ReentrantLock overflowLock = new ReentrantLock();
  private final Condition fullBatchWaiting = overflowLock.newCondition();
  private volatile boolean closed;

  /** One writer, and up to {@code overflow} more that help while a full batch or more is waiting. */
  PostgresGroupCommit(int overflow, Writes writes) {
    this.writes = writes;
    threads.add(Thread.ofPlatform().name("localdb-writer").daemon().start(this::runWriter));
    for (int i = 1; i <= overflow; i++) {
      threads.add(Thread.ofPlatform().name("localdb-writer-" + i).daemon().start(this::runOverflowWriter));
    }
  }

  /** Overflow writers for a pool of {@code poolSize}: a quarter of it, at most 3, leaving connections for reads. */
  static int overflowWriters(int poolSize) {
    return Math.max(0, Math.min(3, poolSize / 4));
  }

  /** Writes waiting for a writer. */
  int queued() {
    return queue.size();
  }

  /** Queues {@code op}, waits for its batch, returns its result or rethrows its failure as {@link LocalDb#write} does. */
  <T> T write(LocalDb.WriteOp<T> op) {
    return write(new Pending<>(op));
  }

  /** Queues {@code pending}, waits for its batch, as {@link #write(LocalDb.WriteOp)}. */
  <T> T write(Pending<T> pending) {
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new StoreUnavailableException("database is closed");
      }
      queue.add(pending);
    } finally {
      lifecycle.readLock().unlock();
    }
    if (queue.size() >= MAX_BATCH && threads.size() > 1) {
      signalOverflow();
    }
    try {
      return pending.future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while writing", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause == RUN_ALONE) {
        return writes.alone(pending.op);
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new StoreUnavailableException("database write failed: " + cause.getMessage(), cause);
    }
  }

  private void signalOverflow() {
    overflowLock.lock();
    try {
      fullBatchWaiting.signal();
    } finally {
      overflowLock.unlock();
    }
  }

  /** The writer: runs whatever is queued, batch after batch, until it takes {@link #STOP}. */
  private void runWriter() {
    List<Pending<?>> batch = new ArrayList<>(MAX_BATCH);
    boolean stop = false;
    while (!stop) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        log.warn("writer {} interrupted; it stops", Thread.currentThread().getName());
        return;
      }
      queue.drainTo(batch, MAX_BATCH - 1);
      stop = run(batch);
    }
  }

  /** An overflow writer: runs a batch only while a full one is waiting, until closed. */
  private void runOverflowWriter() {
    List<Pending<?>> batch = new ArrayList<>(MAX_BATCH);
    while (!closed) {
      overflowLock.lock();
      try {
        while (queue.size() < MAX_BATCH && !closed) {
          fullBatchWaiting.await(); // write() signals after its add, close() after setting closed
        }
      } catch (InterruptedException e) {
        return;
      } finally {
        overflowLock.unlock();
      }
      queue.drainTo(batch, MAX_BATCH);
      if (run(batch)) {
        queue.add(STOP); // the writer's, taken by mistake
        return;
      }
    }
  }

  /**
   * Runs the bulk steps of {@code batch} in {@code tx}: each {@link LocalDb.Bulk} once, for the keys
   * of its writes in order. Returns, per write of the batch, what its step did (null for a write
   * without one).
   */
  static List<@Nullable Object> runBulks(Connection tx, List<Pending<?>> batch) throws SQLException {
    List<@Nullable Object> done = new ArrayList<>(Collections.nCopies(batch.size(), null));
    List<LocalDb.Bulk<Object, Object>> seen = new ArrayList<>(1); // one or two kinds: a list beats a map
    for (Pending<?> first : batch) {
      LocalDb.Bulk<Object, Object> bulk = first.bulk;
      if (bulk == null || seen.stream().anyMatch(b -> b == bulk)) {
        continue;
      }
      seen.add(bulk);
      List<Integer> at = new ArrayList<>();
      List<Object> keys = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
        if (batch.get(i).bulk == bulk) {
          at.add(i);
          keys.add(batch.get(i).key);
        }
      }
      List<Object> results = bulk.apply(tx, keys);
      if (results.size() != keys.size()) {
        throw new IllegalStateException("a bulk step gave " + results.size() + " results for " + keys.size() + " writes");
      }
      for (int j = 0; j < at.size(); j++) {
        done.set(at.get(j), results.get(j));
      }
    }
    return done;
  }

  /** Runs the writes of {@code batch} and clears it; whether it held {@link #STOP}. */
  private boolean run(List<Pending<?>> batch) {
    boolean stop = batch.remove(STOP);
    if (batch.isEmpty()) {
      return stop;
    }
    try {
      writes.batch(batch);
    } catch (Throwable e) { // never leave callers waiting on futures nobody will complete
      log.error("writer failed on a batch of {} writes", batch.size(), e);
      batch.forEach(p -> p.future.completeExceptionally(e));
    }
    batch.clear();
    return stop;
  }

  /** Refuses new writes, lets the queued ones run, then stops the writers; idempotent. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      queue.add(STOP); // behind the last write: none is queued once closed is set
    } finally {
      lifecycle.writeLock().unlock();
    }
    signalAll();
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void signalAll() {
    overflowLock.lock();
    try {
      fullBatchWaiting.signalAll();
    } finally {
      overflowLock.unlock();
    }
  }
}
