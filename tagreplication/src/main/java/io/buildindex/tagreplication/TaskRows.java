package io.buildindex.tagreplication;

import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.Tag;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** Mapping between {@code replication_tasks} rows and records. Stateless. */
final class TaskRows {
  static final String TABLE = "replication_tasks";
  /** The columns every mapper here reads, in a SELECT list. */
  static final String COLUMNS = "id, tag, destination, digest, dependencies, generation, priority, state, "
      + "next_attempt_ms, attempts, last_error, superseded, version, enqueued_ms, updated_ms, transfer_bytes, transfer_millis";

  private TaskRows() {}

  static TaskStatus status(ResultSet rs) throws SQLException {
    return new TaskStatus(Tag.parse(rs.getString("tag")), rs.getString("destination"), digest(rs),
        TaskState.parse(rs.getString("state")), rs.getInt("attempts"), rs.getString("last_error"),
        instantOrNull(rs, "next_attempt_ms"), instant(rs, "updated_ms"), rs.getInt("superseded") != 0,
        new Generation(rs.getLong("generation")), Priority.ofColumn(rs.getInt("priority")) == Priority.BACKFILL,
        instant(rs, "enqueued_ms"),
        new Transfer(rs.getLong("transfer_bytes"), java.time.Duration.ofMillis(rs.getLong("transfer_millis"))));
  }

  /** The task as claimed at {@code now}; the row must be pending or failed. */
  static ClaimedTask claimed(ResultSet rs, Instant now) throws SQLException {
    return new ClaimedTask(rs.getLong("id"), rs.getLong("version"), Tag.parse(rs.getString("tag")),
        rs.getString("destination"), digest(rs), dependencies(rs.getString("dependencies")),
        new Generation(rs.getLong("generation")), rs.getInt("attempts"), TaskState.parse(rs.getString("state")),
        instant(rs, "next_attempt_ms"), instant(rs, "enqueued_ms"), now);
  }

  static @Nullable Digest digest(ResultSet rs) throws SQLException {
    String d = rs.getString("digest");
    return d == null ? null : Digest.parse(d);
  }

  static String dependencies(List<Digest> deps) {
    return deps.stream().map(Digest::toString).collect(Collectors.joining(","));
  }

  static List<Digest> dependencies(String column) {
    return column.isEmpty() ? List.of() : Arrays.stream(column.split(",")).map(Digest::parse).toList();
  }

  static Instant instant(ResultSet rs, String column) throws SQLException {
    return Instant.ofEpochMilli(rs.getLong(column));
  }

  static @Nullable Instant instantOrNull(ResultSet rs, String column) throws SQLException {
    long ms = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(ms);
  }

  static void setNullableString(PreparedStatement s, int index, @Nullable String value) throws SQLException {
    if (value == null) {
      s.setNull(index, Types.VARCHAR);
    } else {
      s.setString(index, value);
    }
  }

  static void setNullableInstant(PreparedStatement s, int index, @Nullable Instant value) throws SQLException {
    if (value == null) {
      s.setNull(index, Types.INTEGER);
    } else {
      s.setLong(index, value.toEpochMilli());
    }
  }
}
