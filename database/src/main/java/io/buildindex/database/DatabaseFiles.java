package io.buildindex.database;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The files of an open database: the {@link DatabaseLock} that keeps a second node off them, and
 * the identities (device and inode) of the database file and its {@code -wal}, verified after
 * every commit. Thread-safe.
 *
 * <p>Design: SQLite keeps writing to a file deleted or replaced under it (the open descriptor
 * still points at the unlinked inode), so commits still succeed and would be acknowledged, and are
 * lost at the next start. A changed identity fails the commit and every later use of the database
 * (fail closed: the node answers 503 and is unready) until it restarts. The {@code -wal} is
 * recorded when first seen: SQLite creates it on the first write, and keeps it (same inode, reset
 * in place by checkpoints) while any connection is open, as ours are until close.
 */
final class DatabaseFiles implements AutoCloseable {
  private final Path database;
  private final Path wal;
  private final DatabaseLock lock;
  private @Nullable Object databaseKey;
  private @Nullable Object walKey;
  private volatile @Nullable String broken;

  private DatabaseFiles(Path database, DatabaseLock lock) {
    this.database = database;
    this.wal = database.resolveSibling(database.getFileName() + "-wal");
    this.lock = lock;
  }

  /**
   * Locks the database's directory entry for this process and refuses an existing empty file:
   * SQLite would take a zero-length file for a new, empty database, and the node would serve as if
   * every tag had been deleted. Throws {@link StoreUnavailableException} saying which.
   */
  static DatabaseFiles open(Path database) {
    DatabaseLock lock = DatabaseLock.acquire(database);
    try {
      if (Files.exists(database) && Files.size(database) == 0) {
        throw new StoreUnavailableException("database " + database + " is empty (0 bytes), as a truncated or damaged"
            + " file is; refusing to start on it as a new database (move it aside to start empty, or restore a backup)");
      }
      return new DatabaseFiles(database, lock);
    } catch (IOException e) {
      lock.close();
      throw new StoreUnavailableException("cannot read database " + database + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  /** Records the identities of the files as they are now; call once the connections are open. */
  synchronized void recordIdentities() {
    databaseKey = key(database);
    walKey = key(wal);
  }

  /** Throws {@link StoreUnavailableException} when the files were deleted or replaced since recorded. */
  synchronized void verify() {
    failIfBroken();
    if (!Objects.equals(databaseKey, key(database))) {
      fail("database file " + database + " was deleted or replaced while open");
    }
    Object current = key(wal);
    if (walKey == null) {
      walKey = current;
    } else if (!walKey.equals(current)) {
      fail("write-ahead log " + wal + " was deleted or replaced while open: writes since the last checkpoint are lost");
    }
  }

  /** Throws {@link StoreUnavailableException} if {@link #verify} has ever failed. */
  void failIfBroken() {
    String reason = broken;
    if (reason != null) {
      throw new StoreUnavailableException(reason + "; restart the node (it refuses writes and reads until then)");
    }
  }

  private void fail(String reason) {
    broken = reason;
    failIfBroken();
  }

  private static @Nullable Object key(Path file) {
    try {
      Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
      return key == null ? "present" : key; // no inode on this platform: presence is all we can check
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      return "unreadable: " + e.getMessage();
    }
  }

  @Override
  public void close() {
    lock.close();
  }
}
