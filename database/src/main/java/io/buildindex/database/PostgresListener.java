package io.buildindex.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one listening connection: LISTENs on every subscribed channel and hands notifications
 * to the subscribers, on one thread.
 *
 * <p>Design: a dedicated connection outside the pool (a LISTEN lives as long as its session, and a
 * pooled connection is shared). {@code getNotifications(timeout)} returns as soon as a notification
 * arrives, so the delay is the network's. While no notification comes, the thread pings the
 * connection every {@link #PING_MS} so that a server that vanished without closing the socket is
 * noticed. When the connection fails every subscriber is told {@code listening(false)}, and the
 * thread reconnects with a backoff (100 ms doubling up to 5 s); after LISTEN is in place again
 * subscribers are told {@code listening(true)}. Notifications sent in between are lost, which is why
 * subscribers (caches) drop what they hold on either edge. A channel subscribed while connected is
 * LISTENed within {@link #POLL_MS}; its subscriber is told {@code listening(true)} only then.
 */
final class PostgresListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PostgresListener.class);
  private static final Pattern CHANNEL = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  static final int POLL_MS = 100;
  static final long PING_MS = 2_000;
  private static final long MAX_BACKOFF_MS = 5_000;

  @FunctionalInterface
  interface Connector {
    Connection connect() throws SQLException;
  }

  private final Connector connector;
  private final Map<String, List<Sub>> subscribers = new ConcurrentHashMap<>();
  /** Channels LISTENed on the current connection; listener thread only. */
  private final Set<String> listened = ConcurrentHashMap.newKeySet();
  private final Object startLock = new Object();
  private @Nullable Thread thread;
  private volatile boolean connected;
  private volatile boolean closed;

  PostgresListener(Connector connector) {
    this.connector = connector;
  }

  boolean connected() {
    return connected;
  }

  LocalDb.Subscription subscribe(String channel, LocalDb.Listener listener) {
    if (!CHANNEL.matcher(channel).matches()) {
      throw new IllegalArgumentException("channel must be a lower-case SQL identifier: " + channel);
    }
    Sub sub = new Sub(channel, listener);
    subscribers.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(sub);
    synchronized (startLock) {
      if (thread == null && !closed) { // started on first use: a node with no cache opens no connection
        thread = Thread.ofPlatform().name("localdb-listener").daemon().start(this::run);
      }
    }
    return sub;
  }

  private void run() {
    long backoff = 100;
    while (!closed) {
      Connection c = null;
      try {
        c = connector.connect();
        c.setAutoCommit(true);
        log.info("listening for notifications");
        backoff = 100;
        serve(c);
      } catch (SQLException | RuntimeException e) {
        if (!closed) {
          log.warn("notification connection failed (retrying in {} ms): {}", backoff, e.getMessage());
        }
      } finally {
        lost();
        if (c != null) {
          try {
            c.close();
          } catch (SQLException e) {
            log.debug("closing notification connection: {}", e.getMessage());
          }
        }
      }
      if (closed) {
        return;
      }
      try {
        TimeUnit.MILLISECONDS.sleep(backoff);
      } catch (InterruptedException e) {
        return;
      }
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
    }
  }

  private void serve(Connection c) throws SQLException {
    PGConnection pg = c.unwrap(PGConnection.class);
    connected = true;
    long lastHeard = System.nanoTime();
    while (!closed) {
      listenNewChannels(c);
      PGNotification[] got = pg.getNotifications(POLL_MS);
      if (got != null && got.length > 0) {
        lastHeard = System.nanoTime();
        for (PGNotification n : got) {
          List<Sub> subs = subscribers.getOrDefault(n.getName(), List.of());
          // One notification carries the payloads of many writes, a line each (NoticePublisher).
          for (String payload : NoticePublisher.payloads(n.getParameter())) {
            for (Sub s : subs) {
              s.notified(payload);
            }
          }
        }
      } else if (System.nanoTime() - lastHeard > TimeUnit.MILLISECONDS.toNanos(PING_MS)) {
        try (Statement s = c.createStatement()) {
          s.execute("SELECT 1");
        }
        lastHeard = System.nanoTime();
      }
    }
  }

  /** LISTENs on channels subscribed since the last pass and tells their new subscribers. */
  private void listenNewChannels(Connection c) throws SQLException {
    for (Map.Entry<String, List<Sub>> e : subscribers.entrySet()) {
      if (listened.add(e.getKey())) {
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + e.getKey()); // checked against CHANNEL: no quoting needed
        } catch (SQLException ex) {
          listened.remove(e.getKey());
          throw ex;
        }
      }
      for (Sub s : e.getValue()) {
        s.up();
      }
    }
  }

  private void lost() {
    connected = false;
    listened.clear();
    subscribers.values().forEach(list -> list.forEach(Sub::down));
  }

  @Override
  public void close() {
    closed = true;
    Thread t;
    synchronized (startLock) {
      t = thread;
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private final class Sub implements LocalDb.Subscription {
    final String channel;
    final LocalDb.Listener listener;
    /** Whether this subscriber was told {@code listening(true)} last; listener thread writes it. */
    private volatile boolean up;
    private volatile boolean cancelled;

    Sub(String channel, LocalDb.Listener listener) {
      this.channel = channel;
      this.listener = listener;
    }

    void up() {
      if (!up && !cancelled) {
        up = true;
        call(() -> listener.listening(true));
      }
    }

    void down() {
      if (up) {
        up = false;
        call(() -> listener.listening(false));
      }
    }

    void notified(String payload) {
      if (up && !cancelled) {
        call(() -> listener.notified(payload));
      }
    }

    private void call(Runnable r) {
      try {
        r.run();
      } catch (RuntimeException e) { // a broken subscriber must not stop everyone's notifications
        log.error("notification listener of {} failed", channel, e);
      }
    }

    @Override
    public boolean listening() {
      return up && !cancelled;
    }

    @Override
    public void close() {
      cancelled = true;
      List<Sub> list = subscribers.get(channel);
      if (list != null) {
        list.remove(this);
      }
    }
  }
}
