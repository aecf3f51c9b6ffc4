package io.buildindex.tagstore;

import io.buildindex.database.Dialect;
import io.buildindex.database.LocalDb;
import io.buildindex.database.StatementCache;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link TagStore} on {@link LocalDb}, in either {@link Dialect}: the same statements and the same
 * decision ({@link #decide}) on SQLite and PostgreSQL, so history, tombstones and listing order are
 * identical.
 *
 * <p>Design: a write reads the tag's current row, decides in Java and writes, all in one
 * transaction. On SQLite the single writer makes that atomic. On PostgreSQL several nodes write at
 * once, so the read is {@code SELECT ... FOR UPDATE} (the row stays locked until commit); a tag
 * with no row yet has nothing to lock, so the write first tries to insert it
 * ({@code ON CONFLICT DO NOTHING}, which waits for a concurrent insert of the same tag to commit or
 * roll back) and, if another node won that race, reads and locks the row it inserted. Either way two
 * nodes writing one tag are serialized exactly as two datacenters' writes are, and converge on the
 * newest generation. Every change notifies {@link #CHANNEL} with the tag (PostgreSQL; delivered on
 * commit) so that the other nodes' caches drop their entry.
 */
final class SqlTagStore implements TagStore {
  private static final Logger log = LoggerFactory.getLogger(SqlTagStore.class);
  /** The notification channel of tag changes; payload: the tag ({@code repo:name}). */
  static final String CHANNEL = "tag_changes";

  /* Tags are ASCII (the grammar allows nothing else) so every key with a given prefix sorts below
   * prefix + DEL: the range [prefix, prefix + DEL) is an index range scan, unlike LIKE. */
  private static final String PREFIX_END = "\u007f";

  private final LocalDb db;
  private final Clock clock;
  private final boolean shared;
  /** Statements of write ops, which on SQLite all run on the database's writer thread. */
  private final StatementCache writes = new StatementCache();

  SqlTagStore(LocalDb db, Clock clock) {
    this.db = db;
    this.clock = clock;
    this.shared = db.dialect() == Dialect.POSTGRES;
    db.migrate("tagstore");
  }

  LocalDb db() {
    return db;
  }

  @Override
  public Optional<TagRecord> record(Tag tag) {
    return db.read(c -> select(c, tag));
  }

  @Override
  public PutResult put(Tag tag, Digest digest, Generation generation, InTransaction then) {
    return write(tag, digest, generation, then);
  }

  @Override
  public PutResult delete(Tag tag, Generation generation, InTransaction then) {
    return write(tag, null, generation, then);
  }

  private PutResult write(Tag tag, @Nullable Digest digest, Generation generation, InTransaction then) {
    TagRecord next = new TagRecord(tag, digest, generation, Instant.ofEpochMilli(clock.millis()));
    PutResult written = db.write(INSERT_NEW, next, (tx, inserted) -> {
      PutResult result = shared ? writeShared(tx, next, inserted) : writeLocal(tx, next);
      if (result.current() == next) {
        db.notifyChange(tx, CHANNEL, tag.toString());
      }
      then.apply(tx, result);
      return result;
    });
    try {
      then.committed();
    } catch (RuntimeException e) { // the write is durable: its client must not be told it failed
      log.error("after the commit of {}, its hook failed; the write stands", tag, e);
    }
    return written;
  }

  /**
   * SQLite: the single writer makes read, decide and write atomic. A put first tries to insert the
   * tag as new, as PostgreSQL does ({@link #writeShared}): most writes are new tags, and for them one
   * statement replaces the read and the upsert (each statement is a round of JNI calls on the one
   * writer thread every write waits for). A tag that exists costs one statement more.
   */
  private PutResult writeLocal(Connection tx, TagRecord next) throws SQLException {
    if (next.digest() != null && insertIfAbsentLocal(tx, next)) {
      appendHistory(tx, next);
      return decide(Optional.empty(), next);
    }
    PutResult result = decide(selectForWrite(tx, next.tag()), next);
    if (result.current() == next) {
      upsert(tx, next);
      if (result.applied() && next.digest() != null) {
        appendHistory(tx, next);
      }
    }
    return result;
  }

  /**
   * PostgreSQL: a new tag has no row to lock, so the write first inserts it, history included, in
   * one statement (one round trip: most writes are new tags, and each round trip costs both the
   * node and the shared server CPU); when the tag exists, it locks and reads the row and decides.
   * The writes of a group commit insert their new tags together, in one statement for all of them
   * ({@link #INSERT_NEW}); {@code inserted} is what it did for this write, or null when the write
   * runs alone and inserts its tag itself.
   */
  private PutResult writeShared(Connection tx, TagRecord next, @Nullable Boolean inserted) throws SQLException {
    if (inserted != null ? inserted : insertIfAbsent(tx, next)) {
      return decide(Optional.empty(), next);
    }
    PutResult result = decide(selectForWrite(tx, next.tag()), next);
    if (result.current() == next) {
      if (result.applied() && next.digest() != null) {
        upsertWithHistory(tx, next);
      } else {
        upsert(tx, next);
      }
    }
    return result;
  }

  /** Last-write-wins; equal generations from two nodes tie-break on the digest so all nodes agree. */
  static PutResult decide(Optional<TagRecord> current, TagRecord next) {
    if (current.isEmpty()) {
      return new PutResult(next.deleted() ? PutResult.Outcome.UNCHANGED : PutResult.Outcome.APPLIED, next);
    }
    TagRecord cur = current.get();
    int byGeneration = next.generation().compareTo(cur.generation());
    int order = byGeneration != 0 ? byGeneration : key(next.digest()).compareTo(key(cur.digest()));
    if (order < 0) {
      return new PutResult(PutResult.Outcome.SUPERSEDED, cur);
    }
    if (order == 0 || java.util.Objects.equals(cur.digest(), next.digest())) {
      // Same state: keep the newer generation (order > 0) without a history entry.
      return new PutResult(PutResult.Outcome.UNCHANGED, order == 0 ? cur : next);
    }
    return new PutResult(PutResult.Outcome.APPLIED, next);
  }

  private static String key(@Nullable Digest d) {
    return d == null ? "" : d.toString();
  }

  private Optional<TagRecord> selectForWrite(Connection tx, Tag tag) throws SQLException {
    PreparedStatement q = prepare(tx, shared ? SELECT_TAG + " FOR UPDATE" : SELECT_TAG);
    q.setString(1, tag.toString());
    try (ResultSet rs = q.executeQuery()) {
      return rs.next() ? Optional.of(toRecord(tag, rs)) : Optional.empty();
    }
  }

  private static final String SELECT_TAG = "SELECT digest, generation, updated_ms FROM tags WHERE tag = ?";

  private static Optional<TagRecord> select(Connection c, Tag tag) throws SQLException {
    try (PreparedStatement q = c.prepareStatement(SELECT_TAG)) {
      q.setString(1, tag.toString());
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? Optional.of(toRecord(tag, rs)) : Optional.empty();
      }
    }
  }

  private static TagRecord toRecord(Tag tag, ResultSet rs) throws SQLException {
    String digest = rs.getString("digest");
    return new TagRecord(tag, digest == null ? null : Digest.parse(digest),
        new Generation(rs.getLong("generation")), Instant.ofEpochMilli(rs.getLong("updated_ms")));
  }

  /**
   * A write op's statement. SQLite: cached across ops (one writer connection). PostgreSQL: ops run
   * on many pooled connections at once, so prepared per op; Hikari closes a connection's statements
   * when it returns to the pool, and pgjdbc keeps the server-side plans per connection.
   */
  private PreparedStatement prepare(Connection tx, String sql) throws SQLException {
    return shared ? tx.prepareStatement(sql) : writes.get(tx, sql);
  }

  /**
   * PostgreSQL: inserts {@code r}, and its history entry when it has a digest, unless the tag has a
   * row (then nothing); whether it did. {@code ON CONFLICT DO NOTHING} waits for a concurrent insert
   * of the same tag to commit or roll back, so a false means the row is there to lock.
   */
  private boolean insertIfAbsent(Connection tx, TagRecord r) throws SQLException {
    PreparedStatement u = prepare(tx, "WITH ins AS (INSERT INTO tags (tag, digest, generation, updated_ms) VALUES (?, ?, ?, ?) "
        + "ON CONFLICT (tag) DO NOTHING RETURNING tag, digest, generation, updated_ms), "
        + "h AS (INSERT INTO tag_history (tag, digest, generation, time_ms) "
        + "SELECT tag, digest, generation, updated_ms FROM ins WHERE digest IS NOT NULL) "
        + "SELECT count(*) FROM ins");
    bindRecord(u, r);
    try (ResultSet rs = u.executeQuery()) {
      return rs.next() && rs.getLong(1) == 1;
    }
  }

  /**
   * PostgreSQL: {@link #insertIfAbsent} for the writes of a group commit in one statement; per record,
   * whether it was inserted. Only the first record of a tag can be: the later ones of the same tag
   * find its row and go on as writes to an existing tag, in order.
   */
  private static final LocalDb.Bulk<TagRecord, Boolean> INSERT_NEW = (tx, records) -> {
    Map<Tag, TagRecord> firsts = new LinkedHashMap<>();
    records.forEach(r -> firsts.putIfAbsent(r.tag(), r));
    Set<String> inserted = new HashSet<>();
    try (PreparedStatement u = tx.prepareStatement("WITH ins AS (INSERT INTO tags (tag, digest, generation, updated_ms) "
        + "SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], ?::bigint[]) "
        + "ON CONFLICT (tag) DO NOTHING RETURNING tag, digest, generation, updated_ms), "
        + "h AS (INSERT INTO tag_history (tag, digest, generation, time_ms) "
        + "SELECT tag, digest, generation, updated_ms FROM ins WHERE digest IS NOT NULL) "
        + "SELECT tag FROM ins")) {
      Collection<TagRecord> rows = firsts.values();
      u.setArray(1, tx.createArrayOf("text", rows.stream().map(r -> r.tag().toString()).toArray()));
      u.setArray(2, tx.createArrayOf("text", rows.stream().map(r -> r.digest() == null ? null : r.digest().toString()).toArray()));
      u.setArray(3, tx.createArrayOf("bigint", rows.stream().map(r -> r.generation().value()).toArray()));
      u.setArray(4, tx.createArrayOf("bigint", rows.stream().map(r -> r.updated().toEpochMilli()).toArray()));
      try (ResultSet rs = u.executeQuery()) {
        while (rs.next()) {
          inserted.add(rs.getString(1));
        }
      }
    }
    List<Boolean> done = new ArrayList<>(records.size());
    records.forEach(r -> done.add(firsts.get(r.tag()) == r && inserted.contains(r.tag().toString())));
    return done;
  };

  /** PostgreSQL: {@link #upsert} and {@link #appendHistory} in one statement (one round trip). */
  private void upsertWithHistory(Connection tx, TagRecord r) throws SQLException {
    PreparedStatement u = prepare(tx, "WITH up AS (" + UPSERT + " RETURNING tag, digest, generation, updated_ms) "
        + "INSERT INTO tag_history (tag, digest, generation, time_ms) SELECT tag, digest, generation, updated_ms FROM up");
    bindRecord(u, r);
    u.executeUpdate();
  }

  private static void bindRecord(PreparedStatement u, TagRecord r) throws SQLException {
    u.setString(1, r.tag().toString());
    u.setString(2, r.digest() == null ? null : r.digest().toString());
    u.setLong(3, r.generation().value());
    u.setLong(4, r.updated().toEpochMilli());
  }

  private static final String UPSERT = "INSERT INTO tags (tag, digest, generation, updated_ms) VALUES (?, ?, ?, ?) "
      + "ON CONFLICT (tag) DO UPDATE SET digest = excluded.digest, generation = excluded.generation, updated_ms = excluded.updated_ms";

  private void upsert(Connection tx, TagRecord r) throws SQLException {
    PreparedStatement u = prepare(tx, UPSERT);
    bindRecord(u, r);
    u.executeUpdate();
  }

  /** SQLite: inserts {@code r} unless its tag has a row; whether it did. */
  private boolean insertIfAbsentLocal(Connection tx, TagRecord r) throws SQLException {
    PreparedStatement u = prepare(tx, "INSERT INTO tags (tag, digest, generation, updated_ms) VALUES (?, ?, ?, ?) "
        + "ON CONFLICT (tag) DO NOTHING");
    bindRecord(u, r);
    return u.executeUpdate() == 1;
  }

  /**
   * SQLite: the history row of an applied put. Its key (tag, generation, digest) is new by
   * {@link #decide}; were it not, the entry is there already, and the write must not fail for it.
   */
  private void appendHistory(Connection tx, TagRecord r) throws SQLException {
    PreparedStatement h = prepare(tx, "INSERT INTO tag_history (tag, digest, generation, time_ms) VALUES (?, ?, ?, ?) "
        + "ON CONFLICT DO NOTHING");
    bindRecord(h, r);
    h.executeUpdate();
  }

  /**
   * Newest first. SQLite keys a tag's history by (generation, digest), PostgreSQL numbers its rows:
   * the same order, since each applied put comes after the tag's current state in (generation,
   * digest) order ({@link #decide}), so a tag's entries were appended in that order.
   */
  @Override
  public List<HistoryEntry> history(Tag tag, int limit) {
    return db.read(c -> {
      try (PreparedStatement q = c.prepareStatement("SELECT digest, generation, time_ms FROM tag_history WHERE tag = ? ORDER BY "
          + (shared ? "id DESC" : "generation DESC, digest DESC") + " LIMIT ?")) {
        q.setString(1, tag.toString());
        q.setInt(2, limit);
        List<HistoryEntry> out = new ArrayList<>();
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            out.add(new HistoryEntry(Digest.parse(rs.getString(1)), new Generation(rs.getLong(2)), Instant.ofEpochMilli(rs.getLong(3))));
          }
        }
        return out;
      }
    });
  }

  @Override
  public Page list(String prefix, int limit, @Nullable String after) {
    return keysInRange(prefix, limit, after, 0);
  }

  @Override
  public Page listRepository(String repository, int limit, @Nullable String after) {
    String prefix = repository + ":";
    return keysInRange(prefix, limit, after == null ? null : prefix + after, prefix.length());
  }

  /* Keyset paging: each page starts strictly after the last key of the previous one, so tags
   * written during a listing cause neither duplicates nor skips of tags that existed throughout. */
  private Page keysInRange(String prefix, int limit, @Nullable String after, int strip) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit < 1: " + limit);
    }
    String from = after != null && after.compareTo(prefix) >= 0 ? after : null;
    return db.read(c -> {
      String sql = "SELECT tag FROM tags WHERE tag " + (from == null ? ">=" : ">") + " ? AND tag < ? "
          + "AND digest IS NOT NULL ORDER BY tag LIMIT ?";
      try (PreparedStatement q = c.prepareStatement(sql)) {
        q.setString(1, from == null ? prefix : from);
        q.setString(2, prefix + PREFIX_END);
        q.setInt(3, limit + 1);
        List<String> keys = new ArrayList<>(limit + 1);
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            keys.add(rs.getString(1));
          }
        }
        boolean more = keys.size() > limit;
        List<String> page = more ? keys.subList(0, limit) : keys;
        String next = more ? page.get(page.size() - 1).substring(strip) : null;
        return new Page(page.stream().map(k -> k.substring(strip)).toList(), next);
      }
    });
  }

  @Override
  public List<TagRecord> scan(@Nullable String after, int limit) {
    return db.read(c -> {
      try (PreparedStatement q = c.prepareStatement(
          "SELECT tag, digest, generation, updated_ms FROM tags WHERE tag > ? ORDER BY tag LIMIT ?")) {
        q.setString(1, after == null ? "" : after);
        q.setInt(2, limit);
        List<TagRecord> out = new ArrayList<>();
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            out.add(toRecord(Tag.parse(rs.getString("tag")), rs));
          }
        }
        return out;
      }
    });
  }

  @Override
  public Generation newestGeneration() {
    return db.read(c -> {
      try (PreparedStatement q = c.prepareStatement("SELECT max(generation) FROM tags"); ResultSet rs = q.executeQuery()) {
        return rs.next() ? new Generation(rs.getLong(1)) : Generation.ZERO;
      }
    });
  }

  long countLive() {
    return db.read(c -> {
      try (PreparedStatement q = c.prepareStatement("SELECT count(*) FROM tags WHERE digest IS NOT NULL");
           ResultSet rs = q.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0L;
      }
    });
  }

  @Override
  public void check() {
    db.check();
  }

  @Override
  public void close() {
    // The LocalDb is shared and closed by its owner; the cached statements go with its connection.
  }
}
