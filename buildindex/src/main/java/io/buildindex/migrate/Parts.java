package io.buildindex.migrate;

import io.buildindex.migrate.CopyPart.Column;
import java.util.List;

/**
 * What the migration copies, table by table, and how each write stays idempotent: tags (tombstones
 * included) by upsert where the newer generation wins, so a rerun, or data the target already holds
 * from nodes that ran on it, is never rolled back; history rows only when the target lacks the same
 * (tag, generation, digest); replication tasks that are not done, by upsert on (tag, destination)
 * where the newer generation wins and a task a node is running is left alone (tasks the source left
 * running arrive pending, due at once); backfill cursors unless the target's is further; verification
 * state unless the target's last run is later. Stateless.
 *
 * <p>Design: the SQL is the upsert syntax SQLite and PostgreSQL share ({@code ON CONFLICT ... DO
 * UPDATE ... WHERE}, {@code EXCLUDED}), against the tables of the tagstore and tagreplication
 * migrations, whose columns are the same in both dialects.
 */
final class Parts {
  private Parts() {}

  /**
   * (destination, rule) as one text key in key order: those tables are small, a scan is fine.
   * Declared before the parts, whose initializers use it.
   */
  private static final Column BY_DESTINATION_AND_RULE = new Column("key", "destination || char(10) || rule", false);

  static final CopyPart TAGS = tags();
  static final CopyPart HISTORY = history();
  static final CopyPart TASKS = tasks();
  static final CopyPart BACKFILL = backfill();
  static final CopyPart VERIFICATION = verification();

  /** In copy order: tags before their history and tasks, so a node started half-way sees tags first. */
  static final List<CopyPart> ALL = List.of(TAGS, HISTORY, TASKS, BACKFILL, VERIFICATION);

  private static CopyPart tags() {
    List<Column> c = List.of(Column.text("tag"), Column.text("digest"), Column.number("generation"),
        Column.number("updated_ms"));
    return new CopyPart("tags", "tags", c, List.of(Column.text("tag")), "",
        "INSERT INTO tags (" + CopyPart.names(c) + ") VALUES (?, ?, ?, ?) ON CONFLICT (tag) DO UPDATE SET "
            + "digest = EXCLUDED.digest, generation = EXCLUDED.generation, updated_ms = EXCLUDED.updated_ms "
            // last-write-wins as the tag store orders writes: generation, then digest text (a tombstone lowest)
            + "WHERE tags.generation < EXCLUDED.generation OR (tags.generation = EXCLUDED.generation "
            + "AND COALESCE(tags.digest, '') < COALESCE(EXCLUDED.digest, ''))",
        CopyPart.inOrder(c.size()));
  }

  private static CopyPart history() {
    List<Column> c = List.of(Column.text("tag"), Column.text("digest"), Column.number("generation"),
        Column.number("time_ms"));
    // The source's primary key (tagstore's SQLite migration V002): each tag's rows in applied order.
    List<Column> key = List.of(Column.text("tag"), Column.number("generation"), Column.text("digest"));
    return new CopyPart("history", "tag_history", c, key, "",
        "INSERT INTO tag_history (" + CopyPart.names(c) + ") SELECT ?, ?, ?, ? WHERE NOT EXISTS "
            + "(SELECT 1 FROM tag_history WHERE tag = ? AND generation = ? AND digest = ?)",
        new int[] {0, 1, 2, 3, 0, 2, 1});
  }

  private static CopyPart tasks() {
    List<Column> c = List.of(Column.text("tag"), Column.text("destination"), Column.text("digest"),
        Column.text("dependencies"), Column.number("generation"), Column.number("priority"),
        // A task the source left running (its node was stopped mid-attempt) is pending again, due at once.
        new Column("state", "CASE state WHEN 'running' THEN 'pending' ELSE state END", false),
        new Column("next_attempt_ms", "CASE state WHEN 'running' THEN updated_ms ELSE next_attempt_ms END", true),
        Column.number("attempts"), Column.text("last_error"), Column.text("error_reason"), Column.number("superseded"),
        Column.number("version"), Column.number("enqueued_ms"), Column.number("updated_ms"),
        Column.number("transfer_bytes"), Column.number("transfer_millis"), Column.number("verification_mismatch_ms"));
    StringBuilder set = new StringBuilder();
    for (Column col : c.subList(2, c.size())) {
      set.append(set.isEmpty() ? "" : ", ").append(col.name()).append(" = EXCLUDED.").append(col.name());
    }
    return new CopyPart("tasks", "replication_tasks", c, List.of(Column.number("id")), "state <> 'done'",
        "INSERT INTO replication_tasks (" + CopyPart.names(c) + ") VALUES (" + "?, ".repeat(c.size() - 1) + "?) "
            + "ON CONFLICT (tag, destination) DO UPDATE SET " + set
            + " WHERE replication_tasks.generation < EXCLUDED.generation AND replication_tasks.state <> 'running'",
        CopyPart.inOrder(c.size()));
  }

  private static CopyPart backfill() {
    List<Column> c = List.of(Column.text("destination"), Column.text("rule"), Column.text("cursor"),
        Column.number("enqueued"), Column.number("done"), Column.number("started_ms"), Column.number("updated_ms"));
    return new CopyPart("backfill", "replication_backfill", c, List.of(BY_DESTINATION_AND_RULE), "",
        "INSERT INTO replication_backfill (" + CopyPart.names(c) + ") VALUES (?, ?, ?, ?, ?, ?, ?) "
            + "ON CONFLICT (destination, rule) DO UPDATE SET cursor = EXCLUDED.cursor, enqueued = EXCLUDED.enqueued, "
            + "done = EXCLUDED.done, started_ms = EXCLUDED.started_ms, updated_ms = EXCLUDED.updated_ms "
            + "WHERE replication_backfill.done = 0 AND (EXCLUDED.done = 1 OR replication_backfill.cursor IS NULL "
            + "OR replication_backfill.cursor < EXCLUDED.cursor)",
        CopyPart.inOrder(c.size()));
  }

  private static CopyPart verification() {
    List<Column> c = List.of(Column.text("destination"), Column.text("rule"), Column.number("runs"),
        Column.number("created_ms"), Column.number("last_run_ms"), Column.number("last_success_ms"),
        Column.text("last_error"), Column.number("buckets_compared"), Column.number("differing_buckets"),
        Column.number("mismatches"), Column.number("repaired"), Column.number("repaired_total"));
    StringBuilder set = new StringBuilder();
    for (Column col : c.subList(2, c.size())) {
      set.append(set.isEmpty() ? "" : ", ").append(col.name()).append(" = EXCLUDED.").append(col.name());
    }
    return new CopyPart("verification", "replication_verification", c, List.of(BY_DESTINATION_AND_RULE), "",
        "INSERT INTO replication_verification (" + CopyPart.names(c) + ") VALUES (" + "?, ".repeat(c.size() - 1) + "?) "
            + "ON CONFLICT (destination, rule) DO UPDATE SET " + set + " WHERE "
            + "COALESCE(replication_verification.last_run_ms, 0) < COALESCE(EXCLUDED.last_run_ms, 0)",
        CopyPart.inOrder(c.size()));
  }
}
