package io.buildindex.database;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A module's numbered schema migrations ({@code db/<module>/V001__tags.sql}, ...), listed in
 * {@code db/<module>/migrations.txt} because a classpath directory cannot be listed inside a jar;
 * PostgreSQL's in {@code db/<module>/postgres/}. Applied versions are recorded per module in
 * {@code schema_migrations}.
 */
final class Migrations {
  private static final Pattern NAME = Pattern.compile("V(\\d{3})__[a-z0-9_]+\\.sql");

  record Migration(int version, String name, String sql) {}

  private final String module;
  private final Dialect dialect;
  private final List<Migration> all;

  private Migrations(String module, Dialect dialect, List<Migration> all) {
    this.module = module;
    this.dialect = dialect;
    this.all = List.copyOf(all);
  }

  static Migrations load(String module, Dialect dialect) {
    String folder = dialect.migrationsFolder(module);
    String index = resource(folder + "/migrations.txt");
    List<Migration> list = new ArrayList<>();
    for (String line : index.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList()) {
      Matcher m = NAME.matcher(line);
      if (!m.matches()) {
        throw new IllegalStateException("bad migration name in " + folder + "/migrations.txt: " + line);
      }
      int version = Integer.parseInt(m.group(1));
      if (version != list.size() + 1) {
        throw new IllegalStateException("migrations of " + module + " must be numbered 1, 2, ...: " + line);
      }
      list.add(new Migration(version, line, resource(folder + "/" + line)));
    }
    return new Migrations(module, dialect, list);
  }

  List<Migration> all() {
    return all;
  }

  void createTable(Connection tx) throws SQLException {
    try (Statement s = tx.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
          + "module TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, "
          + "PRIMARY KEY (module, version))" + (dialect == Dialect.SQLITE ? " WITHOUT ROWID" : ""));
    }
  }

  /**
   * Refuses a database whose recorded schema of this module is newer than the migrations this build
   * has: a newer node migrated it, and this one would write rows it does not understand.
   */
  void refuseNewer(Connection tx) throws SQLException {
    try (PreparedStatement q = tx.prepareStatement("SELECT MAX(version) FROM schema_migrations WHERE module = ?")) {
      q.setString(1, module);
      try (ResultSet rs = q.executeQuery()) {
        int newest = rs.next() ? rs.getInt(1) : 0;
        if (newest > all.size()) {
          throw new StoreUnavailableException("the database's schema of " + module + " is at version " + newest
              + ", newer than this build knows (" + all.size() + "): a newer build-index migrated it; "
              + "run that version (or newer) on this node");
        }
      }
    }
  }

  /** Applies {@code m} unless recorded; returns whether it ran. */
  boolean applyIfNew(Connection tx, Migration m) throws SQLException {
    try (PreparedStatement q = tx.prepareStatement("SELECT 1 FROM schema_migrations WHERE module = ? AND version = ?")) {
      q.setString(1, module);
      q.setInt(2, m.version());
      try (ResultSet rs = q.executeQuery()) {
        if (rs.next()) {
          return false;
        }
      }
    }
    try (Statement s = tx.createStatement()) {
      for (String statement : m.sql().split(";\\s*(\\n|$)")) {
        if (!statement.isBlank()) {
          s.execute(statement);
        }
      }
    }
    try (PreparedStatement ins = tx.prepareStatement("INSERT INTO schema_migrations (module, version, name) VALUES (?, ?, ?)")) {
      ins.setString(1, module);
      ins.setInt(2, m.version());
      ins.setString(3, m.name());
      ins.executeUpdate();
    }
    return true;
  }

  private static String resource(String path) {
    try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing migration resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
