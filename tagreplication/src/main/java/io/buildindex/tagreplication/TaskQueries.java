package io.buildindex.tagreplication;

import io.buildindex.tagreplication.wire.PageTokens;
import io.buildindex.tagstore.InvalidInputException;
import io.buildindex.tagstore.Tag;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Read-only views of {@code replication_tasks}, on a read connection. Stateless. */
final class TaskQueries {
  private static final String TABLE = TaskRows.TABLE;

  /** Task counts by destination and state, and the oldest unfinished enqueue per destination. */
  record Stats(Map<String, Map<TaskState, Long>> counts, Map<String, Instant> oldestUnfinished) {
    static final Stats EMPTY = new Stats(Map.of(), Map.of());

    long count(String destination, TaskState state) {
      return counts.getOrDefault(destination, Map.of()).getOrDefault(state, 0L);
    }
  }

  List<TaskStatus> status(Connection c, Tag tag) throws SQLException {
    try (PreparedStatement q = c.prepareStatement(
        "SELECT " + TaskRows.COLUMNS + " FROM " + TABLE + " WHERE tag = ? ORDER BY destination")) {
      q.setString(1, tag.toString());
      return list(q);
    }
  }

  /** Where a page ends: the last task's destination and id ({@link #START} before the first page). */
  record Cursor(String destination, long id) {
    static final Cursor START = new Cursor("", 0);
    private static final char SEPARATOR = ' ';

    /** The page token after this cursor. */
    String token() {
      return PageTokens.encode(PageTokens.TASKS, Long.toString(id) + SEPARATOR + destination);
    }

    /** Where to page from; {@link #START} for no token. Throws {@link InvalidInputException} for a token not made here. */
    static Cursor fromToken(@Nullable String token) {
      return PageTokens.decode(PageTokens.TASKS, token).map(Cursor::parse).orElse(START);
    }

    private static Cursor parse(String position) {
      int separator = position.indexOf(SEPARATOR);
      long id;
      try {
        id = separator < 0 ? -1 : Long.parseLong(position.substring(0, separator));
      } catch (NumberFormatException e) {
        throw PageTokens.foreign();
      }
      if (id < 0) {
        throw PageTokens.foreign();
      }
      return new Cursor(position.substring(separator + 1), id);
    }
  }

  /** A page of tasks and the cursor after its last one ({@code after} itself when empty). */
  record Slice(List<TaskStatus> tasks, Cursor last) {}

  /**
   * Up to {@code limit} tasks matching {@code filter} after {@code after}. Keyset order follows the
   * index that serves the filter, so no page sorts more than it returns: by (destination, id) when
   * only the state is given, by id otherwise.
   */
  Slice page(Connection c, TaskFilter filter, Cursor after, int limit) throws SQLException {
    boolean byDestination = filter.state() != null && filter.destination() == null;
    String sql = "SELECT " + TaskRows.COLUMNS + " FROM " + TABLE + " WHERE "
        + (byDestination ? "state = ? AND (destination, id) > (?, ?) ORDER BY destination, id"
            : "id > ?" + (filter.state() == null ? "" : " AND state = ?")
              + (filter.destination() == null ? "" : " AND destination = ?") + " ORDER BY id")
        + " LIMIT ?";
    try (PreparedStatement q = c.prepareStatement(sql)) {
      int i = 1;
      if (byDestination) {
        q.setString(i++, filter.state().wireName());
        q.setString(i++, after.destination());
      }
      q.setLong(i++, after.id());
      if (!byDestination && filter.state() != null) {
        q.setString(i++, filter.state().wireName());
      }
      if (filter.destination() != null) {
        q.setString(i++, filter.destination());
      }
      q.setInt(i, limit);
      return slice(q, after);
    }
  }

  private static Slice slice(PreparedStatement q, Cursor after) throws SQLException {
    List<TaskStatus> out = new ArrayList<>();
    Cursor last = after;
    try (ResultSet rs = q.executeQuery()) {
      while (rs.next()) {
        out.add(TaskRows.status(rs));
        last = new Cursor(rs.getString("destination"), rs.getLong("id"));
      }
    }
    return new Slice(out, last);
  }

  private static List<TaskStatus> list(PreparedStatement q) throws SQLException {
    List<TaskStatus> out = new ArrayList<>();
    try (ResultSet rs = q.executeQuery()) {
      while (rs.next()) {
        out.add(TaskRows.status(rs));
      }
    }
    return out;
  }

  /** Unfinished tasks (pending, running, failed) of {@code destination}: a range of the state index. */
  long waiting(Connection c, String destination) throws SQLException {
    try (PreparedStatement q = c.prepareStatement("SELECT COUNT(*) FROM " + TABLE
        + " WHERE state IN ('pending', 'running', 'failed') AND destination = ?")) {
      q.setString(1, destination);
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  Stats stats(Connection c) throws SQLException {
    Map<String, Map<TaskState, Long>> counts = new HashMap<>();
    try (PreparedStatement q = c.prepareStatement(
        "SELECT destination, state, COUNT(*) FROM " + TABLE + " GROUP BY state, destination");
         ResultSet rs = q.executeQuery()) {
      while (rs.next()) {
        counts.computeIfAbsent(rs.getString(1), d -> new HashMap<>()).put(TaskState.parse(rs.getString(2)), rs.getLong(3));
      }
    }
    Map<String, Instant> oldest = new HashMap<>();
    try (PreparedStatement q = c.prepareStatement("SELECT destination, MIN(enqueued_ms) FROM " + TABLE
        + " WHERE state IN ('pending', 'running', 'failed') GROUP BY destination");
         ResultSet rs = q.executeQuery()) {
      while (rs.next()) {
        oldest.put(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)));
      }
    }
    return new Stats(counts, oldest);
  }
}
