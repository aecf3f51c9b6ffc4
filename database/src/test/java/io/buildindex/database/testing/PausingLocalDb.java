package io.buildindex.database.testing;

import io.buildindex.database.LocalDb;
import io.buildindex.testing.Poll;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link LocalDb} that forwards to a real one, counts reads, and can hold the next write after
 * it committed (or the next read after it ran) until the test releases it. That opens, on demand,
 * the windows a store's caller races in: between a commit and what the caller does next, or
 * between a cache loader's read and its return. Thread-safe.
 */
public final class PausingLocalDb implements LocalDb {
  private final LocalDb delegate;
  private final AtomicReference<Pause> nextWrite = new AtomicReference<>();
  private final AtomicReference<Pause> nextRead = new AtomicReference<>();
  private final AtomicInteger reads = new AtomicInteger();

  public PausingLocalDb(LocalDb delegate) {
    this.delegate = delegate;
  }

  /** Holds the next {@link #write} after its commit, before it returns to its caller. */
  public Pause pauseNextWrite() {
    Pause pause = new Pause();
    nextWrite.set(pause);
    return pause;
  }

  /** Holds the next {@link #read} after it read the database, before it returns to its caller. */
  public Pause pauseNextRead() {
    Pause pause = new Pause();
    nextRead.set(pause);
    return pause;
  }

  public int reads() {
    return reads.get();
  }

  @Override
  public <T> T write(WriteOp<T> op) {
    T result = delegate.write(op);
    holdIfArmed(nextWrite);
    return result;
  }

  @Override
  public <T> T read(ReadOp<T> op) {
    reads.incrementAndGet();
    T result = delegate.read(op);
    holdIfArmed(nextRead);
    return result;
  }

  private static void holdIfArmed(AtomicReference<Pause> slot) {
    Pause pause = slot.getAndSet(null);
    if (pause != null) {
      pause.hold();
    }
  }

  @Override
  public void migrate(String module) {
    delegate.migrate(module);
  }

  @Override
  public void check() {
    delegate.check();
  }

  @Override
  public io.buildindex.database.Dialect dialect() {
    return delegate.dialect();
  }

  @Override
  public void notifyChange(java.sql.Connection tx, String channel, String payload) throws java.sql.SQLException {
    delegate.notifyChange(tx, channel, payload);
  }

  @Override
  public Subscription listen(String channel, Listener listener) {
    return delegate.listen(channel, listener);
  }

  @Override
  public void close() {
    delegate.close();
  }

  /** One held call: the test waits until it is reached, then releases it. */
  public static final class Pause {
    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    public void awaitReached() throws InterruptedException {
      if (!reached.await(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("the paused call was never made");
      }
    }

    public void release() {
      released.countDown();
    }

    private void hold() {
      reached.countDown();
      try {
        if (!released.await(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new AssertionError("the test never released the paused call");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while paused", e);
      }
    }
  }
}
