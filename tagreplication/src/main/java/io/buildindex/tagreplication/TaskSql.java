package io.buildindex.tagreplication;

import io.buildindex.database.Dialect;
import io.buildindex.database.LocalDb;

/**
 * The few pieces of SQL in which the replication tables' statements differ between SQLite and
 * PostgreSQL; everything else is written once, in the SQL both accept. Chosen once per node from
 * its {@link LocalDb}'s dialect. A value.
 *
 * <p>Design: on SQLite one writer serializes every write of the node, and one node owns the file,
 * so reading a row and then writing it in the same op is safe without locks. On PostgreSQL the
 * nodes sharing the database write concurrently: the read-decide-write of enqueue locks the row
 * it read ({@link #forUpdate}), claims skip rows another node is claiming ({@link #claimLock}),
 * and inserts that may race use ON CONFLICT. Leases are the same on both (one code path).
 *
 * @param forUpdate appended to a SELECT that reads a row a write then changes
 * @param claimLock appended to the SELECT of due tasks: locks them, skipping rows other nodes lock
 * @param least the scalar function taking the smaller of two values
 * @param insertIgnore starts an INSERT that does nothing when the row exists ({@link #onConflictIgnore} ends it)
 * @param onConflictIgnore ends an INSERT started with {@link #insertIgnore}
 * @param doneIndexHint after the table name in the purge's scan of done tasks
 * @param singleNode whether this node is the database's only writer (SQLite: at start it owns
 *     every running task, whichever node id claimed it)
 */
record TaskSql(String forUpdate, String claimLock, String least, String insertIgnore, String onConflictIgnore,
    String doneIndexHint, boolean singleNode) {

  /** SQLite: the single writer already serializes. */
  static TaskSql sqlite() {
    // INDEXED BY: without ANALYZE statistics the planner prefers the state index and scans every done row.
    return new TaskSql("", "", "MIN", "INSERT OR IGNORE INTO ", "", " INDEXED BY replication_tasks_done", true);
  }

  /** PostgreSQL shared by several nodes. */
  static TaskSql postgres() {
    return new TaskSql(" FOR UPDATE", " FOR UPDATE SKIP LOCKED", "LEAST", "INSERT INTO ", " ON CONFLICT DO NOTHING", "",
        false);
  }

  /** The SQL of {@code db}'s dialect. */
  static TaskSql of(LocalDb db) {
    return db.dialect() == Dialect.POSTGRES ? postgres() : sqlite();
  }
}
