package io.buildindex.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The node's database, shared by every module that persists (tags, replication tasks): the node's
 * own SQLite file ({@link Dialect#SQLITE}), or in shared mode one PostgreSQL database that several
 * nodes use at once ({@link Dialect#POSTGRES}). Opened by {@link Databases}. Thread-safe.
 *
 * <p>Design: this interface is the seam between the modules that persist and the database they
 * persist in. The modules hand it JDBC work ({@link WriteOp}, {@link ReadOp}) and their own SQL and
 * migrations, picked by {@link #dialect()}; everything about running that work (connections, pools,
 * transactions, retries, pragmas, the data-directory lock, file identity checks) stays behind it, in
 * the package-private {@code SqliteLocalDb} and {@code PostgresLocalDb}. The contract the modules
 * rely on for correctness, not only speed:
 * <ul>
 *   <li>{@link #write} returns only once the op is durable (SQLite: fsync'd WAL; PostgreSQL: committed
 *       with {@code synchronous_commit} on). An op that throws rolls back alone; the failure reaches
 *       the caller as documented on {@link #write}. The ops that arrive together share one
 *       transaction (group commit, in order); when one of them throws, the others run again, so an
 *       op may run more than once: it must not have effects outside its transaction;
 *   <li><b>isolation differs by dialect</b>. SQLite: writes are serialized through one writer, so each
 *       {@link WriteOp} sees every write acknowledged before it and no other write runs between its
 *       reads and its writes. PostgreSQL: a node's ops that arrive together share one READ COMMITTED
 *       transaction (group commit, in order, as on SQLite), and ops of other nodes run concurrently;
 *       an op that reads, decides and writes must make that atomic itself, with row locks
 *       ({@code SELECT ... FOR UPDATE}), conditional upserts ({@code INSERT ... ON CONFLICT ... DO
 *       UPDATE ... WHERE}) or {@code FOR UPDATE SKIP LOCKED} claims. A serialization failure or
 *       deadlock also runs an op again, a bounded number of times;
 *   <li>{@link #read} sees at least every write that returned (on this node; on PostgreSQL, of every
 *       node);
 *   <li>{@link #migrate} applies a module's numbered migrations once each, recorded per module, and
 *       refuses to run against a schema newer than this build knows;
 *   <li>every failure to serve, including after {@link #close} and while PostgreSQL is unreachable, is
 *       a {@link StoreUnavailableException} (the node answers 503 and turns unready);
 *   <li>{@link #notifyChange} and {@link #listen} tell caches of other nodes' writes (PostgreSQL);
 *       on SQLite no other node writes, so they do nothing.
 * </ul>
 */
public interface LocalDb extends AutoCloseable {
  /** Work done inside a write transaction. Must not block on anything but the connection. */
  @FunctionalInterface
  interface WriteOp<T> {
    T apply(Connection tx) throws SQLException;
  }

  /**
   * A statement that the writes of one transaction can run together, once, for all of them: one
   * multi-row {@code INSERT} instead of an {@code INSERT} per write. On a shared server every
   * statement costs a round trip and the server's parse, plan and execute, so under load a group
   * commit of many writes spends most of its time on statements a bulk one replaces.
   *
   * @param <K> what one write contributes to the statement (e.g. its row)
   * @param <P> what the statement did for one write (e.g. whether its row was inserted)
   */
  @FunctionalInterface
  interface Bulk<K, P> {
    /**
     * Runs the statement for {@code keys} (one per write, in the writes' order) in {@code tx};
     * returns one result per key, in the same order.
     */
    List<P> apply(Connection tx, List<K> keys) throws SQLException;
  }

  /**
   * The part of a write that follows its {@link Bulk} statement, in the same transaction.
   * {@code done} is what the bulk statement did for this write, or null when it did not run for it
   * (the op then does that work itself).
   */
  @FunctionalInterface
  interface BulkWriteOp<P, T> {
    T apply(Connection tx, @Nullable P done) throws SQLException;
  }

  /** Work done on a read-only connection. */
  @FunctionalInterface
  interface ReadOp<T> {
    T apply(Connection conn) throws SQLException;
  }

  /**
   * Told of notifications on a channel and of the listening connection's state. Called from one
   * listener thread, in order; must not block.
   */
  interface Listener {
    /** A write committed by some node (this one included) notified {@code payload}. */
    void notified(String payload);

    /**
     * The listening connection went down ({@code false}: notifications may be missed from now on)
     * or is listening again ({@code true}: notifications sent from now on arrive; those sent while
     * it was down are lost, so a cache must drop what it holds).
     */
    void listening(boolean up);
  }

  /** A {@link #listen} registration. */
  interface Subscription extends AutoCloseable {
    /**
     * Whether notifications are being received: always true on SQLite (there are none to miss);
     * on PostgreSQL false until the first LISTEN is in place and whenever the connection is down.
     */
    boolean listening();

    @Override
    void close();
  }

  Dialect dialect();

  /**
   * Runs {@code op} in a transaction and returns its result once durable. If {@code op} throws, its
   * changes are rolled back (SQLite: others sharing its group commit still commit) and the exception
   * is rethrown here: SQLException as {@link StoreUnavailableException}, runtime exceptions as is.
   */
  <T> T write(WriteOp<T> op);

  /**
   * {@link #write(WriteOp)} whose first step, {@code bulk} for {@code key}, may run in one statement
   * with the same step of other writes sharing its transaction (the same {@code bulk} instance),
   * before any of their ops; {@code op} then gets its result. Whether it does is the database's
   * choice: PostgreSQL does for the writes of a group commit, and runs a write alone (after its
   * batch failed) without it; SQLite, whose statements cost no round trip, never does. So {@code
   * op} must give the same outcome either way, and must do the step itself when it gets null.
   */
  default <K, P, T> T write(Bulk<K, P> bulk, K key, BulkWriteOp<P, T> op) {
    return write(tx -> op.apply(tx, null));
  }

  <T> T read(ReadOp<T> op);

  /**
   * Applies the numbered migrations of {@code module} for this {@link #dialect()} (listed in
   * {@code db/<module>/migrations.txt}, or {@code db/<module>/postgres/migrations.txt}) that this
   * database has not seen yet, in order, each in its own transaction. On PostgreSQL under an advisory
   * lock, so nodes starting together apply them one at a time. Throws {@link StoreUnavailableException}
   * when the database records a version of {@code module} newer than this build knows (a newer node
   * migrated it: this one must not write to a schema it does not understand).
   */
  void migrate(String module);

  /** Throws {@link StoreUnavailableException} with the reason when the database cannot serve. */
  void check();

  /**
   * Queues {@code payload} (one line: no {@code \n}) on {@code channel} as part of the write
   * transaction {@code tx}: delivered to every node's {@link #listen}er of the channel when (and
   * only if) {@code tx} commits, as one {@link Listener#notified} call (on the wire, many writes'
   * payloads share a notification). No-op on SQLite. Call only from inside a {@link WriteOp}.
   */
  void notifyChange(Connection tx, String channel, String payload) throws SQLException;

  /**
   * Registers {@code listener} for {@code channel} (a lower-case SQL identifier) until the returned
   * subscription is closed. On SQLite the listener is never called and the subscription is always
   * {@link Subscription#listening()}.
   */
  Subscription listen(String channel, Listener listener);

  /** Lets queued writes commit, then closes the connections; idempotent. */
  @Override
  void close();
}
