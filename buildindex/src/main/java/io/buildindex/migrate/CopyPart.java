package io.buildindex.migrate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One table's part of the migration: reads the source table in key order, a page after a cursor
 * at a time, and writes each page to the target with a statement that is idempotent on its own
 * (an upsert in which the newer generation wins, or an insert of what is not there yet). A value.
 *
 * @param name the part's name in the progress table
 * @param table the source table
 * @param columns what is read, in order: the target's column names, with the source expression
 * @param key the key: one or more columns (an expression each) that order the source rows and
 *     identify each, read after {@code columns}; the source has an index on them
 * @param where extra condition on source rows ({@code ""} for none)
 * @param write the target statement, whose parameters are {@code columns} in the order {@code bind} gives
 * @param bind for each parameter of {@code write}, the index of the column it takes
 */
record CopyPart(String name, String table, List<Column> columns, List<Column> key, String where, String write,
    int[] bind) {
  /** A column read from the source: {@code expression} there, {@code name} in the target. */
  record Column(String name, String expression, boolean numeric) {
    static Column text(String name) {
      return new Column(name, name, false);
    }

    static Column number(String name) {
      return new Column(name, name, true);
    }
  }

  private static final ObjectMapper CURSORS = new ObjectMapper();

  CopyPart {
    columns = List.copyOf(columns);
    key = List.copyOf(key);
    bind = bind.clone();
  }

  /** Binds the columns in their own order: {@code write} names them once each, in order. */
  static int[] inOrder(int columns) {
    return java.util.stream.IntStream.range(0, columns).toArray();
  }

  /** The column names, comma-separated, for an INSERT's column list. */
  static String names(List<Column> columns) {
    return columns.stream().map(Column::name).collect(Collectors.joining(", "));
  }

  /** Up to {@code limit} rows after {@code cursor} (null: from the start), in key order. */
  List<Object[]> read(Connection source, @org.jspecify.annotations.Nullable String cursor, int limit)
      throws SQLException {
    String keys = key.stream().map(Column::expression).collect(Collectors.joining(", "));
    // A row value: (a, b) > (?, ?) is "after" in (a, b) order, and SQLite walks the index for it.
    String after = "(" + keys + ") > (" + "?, ".repeat(key.size() - 1) + "?)";
    String select = "SELECT " + columns.stream().map(Column::expression).collect(Collectors.joining(", ")) + ", " + keys
        + " FROM " + table + " WHERE " + (cursor == null ? "1 = 1" : after)
        + (where.isEmpty() ? "" : " AND " + where) + " ORDER BY " + keys + " LIMIT ?";
    try (PreparedStatement q = source.prepareStatement(select)) {
      int i = 1;
      if (cursor != null) {
        List<String> values = cursorValues(cursor);
        for (int k = 0; k < key.size(); k++) {
          if (key.get(k).numeric()) {
            q.setLong(i++, Long.parseLong(values.get(k)));
          } else {
            q.setString(i++, values.get(k));
          }
        }
      }
      q.setInt(i, limit);
      List<Object[]> rows = new ArrayList<>();
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          rows.add(row(rs));
        }
      }
      return rows;
    }
  }

  private Object[] row(ResultSet rs) throws SQLException {
    Object[] row = new Object[columns.size() + key.size()];
    for (int c = 0; c < columns.size(); c++) {
      row[c] = columns.get(c).numeric() ? longOrNull(rs, c + 1) : rs.getString(c + 1);
    }
    for (int k = 0; k < key.size(); k++) {
      row[columns.size() + k] = rs.getString(columns.size() + k + 1);
    }
    return row;
  }

  private static Object longOrNull(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  /**
   * The cursor after {@code row}: its key, as text; a key of several columns as a JSON array of
   * their values as text (a one-column key stays plain, as progress rows saved by earlier builds have it).
   */
  String cursorOf(Object[] row) {
    if (key.size() == 1) {
      return (String) row[columns.size()];
    }
    try {
      return CURSORS.writeValueAsString(Arrays.copyOfRange(row, columns.size(), columns.size() + key.size()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the cursor of " + name, e);
    }
  }

  private List<String> cursorValues(String cursor) {
    if (key.size() == 1) {
      return List.of(cursor);
    }
    try {
      List<String> values = CURSORS.readValue(cursor, new TypeReference<List<String>>() {});
      if (values.size() != key.size()) {
        throw new IllegalStateException("the saved cursor of " + name + " has " + values.size() + " values, want " + key.size());
      }
      return values;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the saved cursor of " + name + " is not a JSON array: " + cursor, e);
    }
  }

  /** Writes {@code rows} to the target; returns how many rows the statements changed. */
  int write(Connection target, List<Object[]> rows) throws SQLException {
    if (rows.isEmpty()) {
      return 0;
    }
    try (PreparedStatement s = target.prepareStatement(write)) {
      for (Object[] row : rows) {
        for (int p = 0; p < bind.length; p++) {
          bindValue(s, p + 1, columns.get(bind[p]), row[bind[p]]);
        }
        s.addBatch();
      }
      return Arrays.stream(s.executeBatch()).map(n -> Math.max(n, 0)).sum();
    }
  }

  private static void bindValue(PreparedStatement s, int index, Column column, Object value) throws SQLException {
    if (value == null) {
      s.setNull(index, column.numeric() ? Types.BIGINT : Types.VARCHAR);
    } else if (column.numeric()) {
      s.setLong(index, (Long) value);
    } else {
      s.setString(index, (String) value);
    }
  }
}
