package io.buildindex.database;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * An exclusive lock on {@code <database>.lock} beside the database file, held from open to close,
 * so that a second build-index started on the same data directory exits instead of serving and
 * diverging. The lock file says who holds it (pid, host, since when) for the second one's message.
 * The operating system releases the lock when the holder dies, even by kill -9.
 */
final class DatabaseLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private DatabaseLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock, or throws {@link StoreUnavailableException} naming the holder. */
  static DatabaseLock acquire(Path database) {
    Path file = database.resolveSibling(database.getFileName() + ".lock");
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock = tryLock(channel);
      if (lock == null) {
        throw new StoreUnavailableException("database " + database + " is in use by another build-index ("
            + holder(channel) + "); lock file " + file);
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(describeThisProcess().getBytes(StandardCharsets.UTF_8)), 0);
      channel.force(true);
      return new DatabaseLock(channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new StoreUnavailableException("cannot lock database " + database + " with " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private static @Nullable FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) { // held by this JVM: another LocalDb on the same file
      return null;
    }
  }

  private static String holder(FileChannel channel) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(512);
    channel.read(buffer, 0);
    String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
    return text.isEmpty() ? "holder unknown" : text;
  }

  private static String describeThisProcess() {
    return "pid " + ProcessHandle.current().pid() + " on host " + hostName() + ", since " + Instant.now() + "\n";
  }

  /** Without a DNS lookup (InetAddress.getLocalHost may wait seconds for one). */
  private static String hostName() {
    try {
      return Files.readString(Path.of("/etc/hostname")).strip();
    } catch (IOException | RuntimeException e) {
      String env = System.getenv("HOSTNAME");
      return env == null || env.isBlank() ? "unknown" : env;
    }
  }

  private static void closeQuietly(@Nullable FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing held, nothing to release
      }
    }
  }

  /** Releases the lock; the file stays (deleting it would race with a starting successor). */
  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException ignored) {
      // closing the channel releases it too
    }
    closeQuietly(channel);
  }
}
