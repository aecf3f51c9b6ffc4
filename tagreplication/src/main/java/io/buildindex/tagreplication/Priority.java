package io.buildindex.tagreplication;

/** Claim order among due tasks of a destination: new writes before backfill. */
enum Priority {
  WRITE(0),
  BACKFILL(1);

  /** The value stored in {@code replication_tasks.priority}; lower runs first. */
  final int column;

  Priority(int column) {
    this.column = column;
  }

  static Priority ofColumn(int value) {
    return value == WRITE.column ? WRITE : BACKFILL;
  }
}
