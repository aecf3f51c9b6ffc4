package io.buildindex.database;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the notices of committed writes with {@code pg_notify}, the notices of every writer waiting
 * at that moment in one transaction.
 *
 * <p>Why not {@code pg_notify} inside each write's own transaction: PostgreSQL takes a database-wide
 * lock for a transaction that notifies and holds it through its commit, WAL flush included, so
 * notifying writes commit strictly one after another, one fsync each (measured: 903 PUT/s for three
 * nodes on one database, where writes without a notice share their flushes). Here the writes commit
 * without the lock and share flushes; one thread then sends what they queued, many notices per
 * transaction, so the lock is taken once per batch instead of once per write.
 *
 * <p>The payloads of one channel go out as few notifications as fit, a line each ({@link
 * #MAX_NOTIFICATION_BYTES}), which the listening side splits ({@link #payloads}): every listening
 * node's backend otherwise reads, and its connection carries, one notification per write (measured
 * on 3 nodes: ~30% of the durable PUT rate and a third of PostgreSQL's CPU per PUT).
 *
 * <p>A writer {@link #publish}es after its commit and waits until its notices are committed too, so
 * a write acknowledged to a client has been announced to every listening node, as before. If the
 * notices cannot be sent the write fails with {@link StoreUnavailableException}: its data is
 * committed, the client sees a 503 and retries, and the retry notifies again.
 */
final class NoticePublisher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NoticePublisher.class);
  /** How long a writer waits for its notices; more than a pooled connection's timeout plus a statement's. */
  static final long WAIT_MS = 40_000;

  /**
   * Bytes of one notification's payload at most: PostgreSQL refuses 8,000 or more (its default
   * build); one longer payload is sent alone, and refused.
   */
  static final int MAX_NOTIFICATION_BYTES = 7_000;

  /** A write's notice: {@code payload} is one line, which {@link PostgresLocalDb#notifyChange} checks. */
  record Notice(String channel, String payload) {}

  private record Pending(List<Notice> notices, CompletableFuture<Void> sent) {}

  @FunctionalInterface
  interface Connections {
    Connection get() throws SQLException;
  }

  private final Connections connections;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closed;

  NoticePublisher(Connections connections) {
    this.connections = connections;
    this.thread = Thread.ofPlatform().name("localdb-notices").daemon().start(this::run);
  }

  /** Sends {@code notices} and returns once they are committed; throws {@link StoreUnavailableException} if they cannot be. */
  void publish(List<Notice> notices) {
    if (notices.isEmpty()) {
      return;
    }
    Pending p = new Pending(List.copyOf(notices), new CompletableFuture<>());
    if (closed) {
      throw new StoreUnavailableException("database closed before the change could be announced to other nodes");
    }
    queue.add(p);
    if (closed) {
      failAll(new StoreUnavailableException("database closed")); // close() may have drained before the add
    }
    try {
      p.sent().get(WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw new StoreUnavailableException("write committed but not announced to other nodes: " + cause.getMessage(), cause);
    } catch (TimeoutException e) {
      throw new StoreUnavailableException("write committed but its announcement to other nodes timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while announcing a write to other nodes", e);
    }
  }

  private void run() {
    List<Pending> batch = new ArrayList<>();
    while (!closed) {
      try {
        Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch);
        send(batch);
        batch.forEach(p -> p.sent().complete(null));
      } catch (InterruptedException e) {
        break;
      } catch (SQLException | RuntimeException e) {
        log.debug("sending {} writers' notices failed: {}", batch.size(), e.getMessage());
        batch.forEach(p -> p.sent().completeExceptionally(e));
      } finally {
        batch.clear();
      }
    }
    failAll(new StoreUnavailableException("database closed"));
  }

  private void send(List<Pending> batch) throws SQLException {
    // PostgreSQL drops duplicate notices of one transaction anyway; skipping them here saves the calls.
    Set<Notice> distinct = new LinkedHashSet<>();
    batch.forEach(p -> distinct.addAll(p.notices()));
    List<Notice> combined = combine(distinct);
    try (Connection c = connections.get()) {
      // One statement for the whole batch: pgjdbc cannot batch statements that return rows.
      // synchronous_commit off for this transaction alone: its commit wakes the listeners whether or
      // not its WAL record is flushed yet, so waiting for the flush (an fsync per batch, on every
      // write's path) buys nothing. The writes it announces were committed durably before. Should
      // the server crash before the flush, every listening connection breaks with it, and a node
      // whose listener went down drops its whole cache (LocalDb.Listener#listening).
      try (PreparedStatement ps = c.prepareStatement("SELECT set_config('synchronous_commit', 'off', true), "
          + "count(pg_notify(channel, payload)) FROM unnest(?::text[], ?::text[]) AS n(channel, payload)")) {
        ps.setArray(1, c.createArrayOf("text", combined.stream().map(Notice::channel).toArray()));
        ps.setArray(2, c.createArrayOf("text", combined.stream().map(Notice::payload).toArray()));
        ps.execute();
        c.commit();
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    }
  }

  /** {@code notices} as few notices per channel as fit, their payloads joined by newlines; in order. */
  static List<Notice> combine(Collection<Notice> notices) {
    Map<String, List<String>> byChannel = new LinkedHashMap<>();
    notices.forEach(n -> byChannel.computeIfAbsent(n.channel(), k -> new ArrayList<>()).add(n.payload()));
    List<Notice> out = new ArrayList<>();
    byChannel.forEach((channel, payloads) -> {
      StringBuilder lines = new StringBuilder();
      int bytes = 0;
      for (String payload : payloads) {
        int size = payload.getBytes(StandardCharsets.UTF_8).length;
        if (!lines.isEmpty() && bytes + 1 + size > MAX_NOTIFICATION_BYTES) {
          out.add(new Notice(channel, lines.toString()));
          lines.setLength(0);
          bytes = 0;
        }
        if (!lines.isEmpty()) {
          lines.append('\n');
          bytes++;
        }
        lines.append(payload);
        bytes += size;
      }
      out.add(new Notice(channel, lines.toString()));
    });
    return out;
  }

  /** The payloads of the writes that one notification announces ({@link #combine}). */
  static List<String> payloads(String notification) {
    return List.of(notification.split("\n", -1));
  }

  private void failAll(RuntimeException e) {
    List<Pending> left = new ArrayList<>();
    queue.drainTo(left);
    left.forEach(p -> p.sent().completeExceptionally(e));
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    failAll(new StoreUnavailableException("database closed"));
  }
}
