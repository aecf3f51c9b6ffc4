package io.buildindex.tagstore;

import io.buildindex.database.StoreUnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Tag to digest mappings with last-write-wins by {@link Generation}, history and tombstones.
 * Every write is durable (committed and fsync'd) when the call returns, and visible to every
 * later read on this node (the cache is never stale). In shared mode (PostgreSQL) a write committed
 * by another node is visible here once its notification arrives, or at once while this node's
 * notifications are down (reads then go to the database). Thread-safe.
 */
public interface TagStore extends AutoCloseable {
  /** Runs inside the transaction of a tag write, after it, so both commit or neither does. */
  @FunctionalInterface
  interface InTransaction {
    InTransaction NONE = (tx, result) -> {};

    /**
     * Runs in the write's transaction. May run more than once for one write, when the database
     * runs the transaction again (PostgreSQL, after a deadlock): each run starts afresh.
     */
    void apply(Connection tx, PutResult result) throws SQLException;

    /**
     * Runs once the write's transaction committed (durably), on the writing thread, before the
     * write returns; not when it failed. For what must not leave the node before the write is
     * durable, such as sending it to another one. Should it throw, the write still stands (and
     * returns): the failure is logged.
     */
    default void committed() {}
  }

  /** The tag's live digest; empty when never written or deleted. */
  default Optional<Digest> get(Tag tag) {
    return record(tag).flatMap(TagRecord::live);
  }

  /** The tag's state including a tombstone; empty when never written. */
  Optional<TagRecord> record(Tag tag);

  default PutResult put(Tag tag, Digest digest, Generation generation) {
    return put(tag, digest, generation, InTransaction.NONE);
  }

  /** Writes {@code tag -> digest} unless a newer generation is stored; then runs {@code then}. */
  PutResult put(Tag tag, Digest digest, Generation generation, InTransaction then);

  /** Stores a tombstone for {@code tag} unless a newer generation is stored. */
  PutResult delete(Tag tag, Generation generation, InTransaction then);

  /** Applied puts of {@code tag}, newest first, at most {@code limit}. Survives deletes. */
  List<HistoryEntry> history(Tag tag, int limit);

  /** Live tags whose {@code repo:name} starts with {@code prefix}, after key {@code after}. */
  Page list(String prefix, int limit, @Nullable String after);

  /** Live tag names (without {@code repo:}) of one repository, after name {@code after}. */
  Page listRepository(String repository, int limit, @Nullable String after);

  /** Records (tombstones included) with key greater than {@code after}, in key order; for backfill and repair. */
  List<TagRecord> scan(@Nullable String after, int limit);

  /**
   * The newest generation stored (tombstones included), {@link Generation#ZERO} when empty. A
   * node's clock observes it at start-up, so that its new writes win over every write it holds,
   * including replicated ones from a node whose clock ran ahead.
   */
  Generation newestGeneration();

  /** Throws {@link StoreUnavailableException} with the reason when the store cannot serve. */
  void check();

  @Override
  void close();
}
