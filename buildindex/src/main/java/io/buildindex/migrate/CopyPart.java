package io.buildindex.migrate;

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
 * @param key the key column (text or integer, per {@link #numericKey}), the last column read
 * @param where extra condition on source rows ({@code ""} for none)
 * @param write the target statement, whose parameters are {@code columns} in the order {@code bind} gives
 * @param bind for each parameter of {@code write}, the index of the column it takes
 */
record CopyPart(String name, String table, List<Column> columns, String key, boolean numericKey, String where,
    String write, int[] bind) {
  /** A column read from the source: {@code expression} there, {@code name} in the target. */
  record Column(String name, String expression, boolean numeric) {
    static Column text(String name) {
      return new Column(name, name, false);
    }

    static Column number(String name) {
      return new Column(name, name, true);
    }
  }

  CopyPart {
    columns = List.copyOf(columns);
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
    String select = "SELECT " + columns.stream().map(Column::expression).collect(Collectors.joining(", ")) + ", " + key
        + " FROM " + table + " WHERE " + (cursor == null ? "1 = 1" : key + " > ?")
        + (where.isEmpty() ? "" : " AND " + where) + " ORDER BY " + key + " LIMIT ?";
    try (PreparedStatement q = source.prepareStatement(select)) {
      int i = 1;
      if (cursor != null) {
        if (numericKey) {
          q.setLong(i++, Long.parseLong(cursor));
        } else {
          q.setString(i++, cursor);
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
    Object[] row = new Object[columns.size() + 1];
    for (int c = 0; c < columns.size(); c++) {
      row[c] = columns.get(c).numeric() ? longOrNull(rs, c + 1) : rs.getString(c + 1);
    }
    row[columns.size()] = rs.getString(columns.size() + 1);
    return row;
  }

  private static Object longOrNull(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  /** The cursor after {@code row}: its key. */
  String cursorOf(Object[] row) {
    return (String) row[columns.size()];
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
