package io.buildindex.tagstore;

import static io.buildindex.tagstore.SqlTagStoreTest.digest;
import static io.buildindex.tagstore.SqlTagStoreTest.gen;
import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.database.Dialect;
import io.buildindex.database.LocalDb;
import io.buildindex.database.testing.PausingLocalDb;
import io.buildindex.database.testing.SqliteFixture;
import io.buildindex.testing.FakeClock;
import io.buildindex.testing.Poll;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache's shared-mode rules, driven deterministically: the notifications and the listening
 * connection's state are the test's ({@link ControlledNotifications}), writes of "another node"
 * go to the database past this node's cache. (SharedTagStoreTest checks the same on PostgreSQL.)
 */
final class CachingTagStoreSharedTest {
  private static final Tag TAG = Tag.parse("team/app:v1");
  private static final Digest A = digest('a');
  private static final Digest B = digest('b');

  @TempDir Path dir;
  private final FakeClock clock = new FakeClock();
  private final MetricRegistry metrics = new MetricRegistry();
  private SqliteFixture fixture;
  private PausingLocalDb db;
  private ControlledNotifications notifications;
  private SqlTagStore otherNode;
  private CachingTagStore store;
  private ExecutorService pool;

  @BeforeEach
  void setUp() {
    fixture = SqliteFixture.open(dir, "tagstore");
    db = new PausingLocalDb(fixture.db());
    notifications = new ControlledNotifications(db);
    store = new CachingTagStore(new SqlTagStore(notifications, clock), 10_000, metrics);
    otherNode = new SqlTagStore(fixture.db(), clock); // writes no cache of this node hears of
    pool = Executors.newCachedThreadPool();
    notifications.up();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(Poll.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    store.close();
    fixture.close();
  }

  @Test
  void notification_dropsTheEntry_soTheNextReadSeesTheOtherNodesWrite() {
    store.put(TAG, A, gen(1));
    assertThat(store.get(TAG)).contains(A);
    otherNode.put(TAG, B, gen(2));
    assertThat(store.get(TAG)).as("not notified yet: the cache answers").contains(A);
    int reads = db.reads();

    notifications.notifyAll(TAG.toString());

    assertThat(store.get(TAG)).contains(B);
    assertThat(store.get(TAG)).contains(B);
    assertThat(db.reads()).isEqualTo(reads + 1);
    assertThat(metrics.counter("tagstore.cache.invalidations").getCount()).isEqualTo(1);
  }

  @Test
  void notListening_everyReadGoesToTheDatabase_thenTheCacheServesAgain() {
    store.put(TAG, A, gen(1));
    assertThat(store.get(TAG)).contains(A);

    notifications.down();
    otherNode.put(TAG, B, gen(2)); // its notification is lost
    int reads = db.reads();
    assertThat(store.get(TAG)).contains(B);
    assertThat(store.get(TAG)).contains(B);
    assertThat(db.reads()).isEqualTo(reads + 2);
    assertThat(metrics.counter("tagstore.cache.bypassed_reads").getCount()).isEqualTo(2);
    assertThat(metrics.getGauges().get("tagstore.cache.listening").getValue()).isEqualTo(0);

    notifications.up();
    assertThat(store.get(TAG)).contains(B);
    assertThat(store.get(TAG)).contains(B);
    assertThat(db.reads()).as("cached again").isEqualTo(reads + 3);
    assertThat(metrics.getGauges().get("tagstore.cache.listening").getValue()).isEqualTo(1);
  }

  @Test
  void loadInFlightWhileTheConnectionDropsAndComesBack_itsOldAnswerIsNotCachedOn() throws Exception {
    otherNode.put(TAG, A, gen(1));
    PausingLocalDb.Pause afterRead = db.pauseNextRead();
    Future<Optional<Digest>> load = pool.submit(() -> store.get(TAG));
    afterRead.awaitReached(); // the load has read A

    otherNode.put(TAG, B, gen(2));
    notifications.down(); // B's notification was lost with the connection
    notifications.up();
    afterRead.release();

    // The load finds its entry older than the reconnect and reads again rather than answer it.
    assertThat(load.get()).contains(B);
    assertThat(store.get(TAG)).as("the entry loaded before the reconnect is not answered").contains(B);
  }

  @Test
  void sqlite_isAlwaysListeningAndNeverBypasses() {
    try (CachingTagStore plain = new CachingTagStore(new SqlTagStore(db, clock), 10, new MetricRegistry())) {
      plain.put(TAG, A, gen(1));
      int reads = db.reads();

      assertThat(plain.get(TAG)).contains(A);
      assertThat(plain.get(TAG)).contains(A);
      assertThat(db.reads()).isEqualTo(reads + 1);
    }
  }

  /** A {@link LocalDb} whose notifications and listening state the test drives. */
  private static final class ControlledNotifications implements LocalDb {
    private final LocalDb delegate;
    private volatile @Nullable Listener listener;
    private volatile boolean listening;

    ControlledNotifications(LocalDb delegate) {
      this.delegate = delegate;
    }

    void up() {
      listening = true;
      java.util.Objects.requireNonNull(listener).listening(true);
    }

    void down() {
      listening = false;
      java.util.Objects.requireNonNull(listener).listening(false);
    }

    void notifyAll(String payload) {
      java.util.Objects.requireNonNull(listener).notified(payload);
    }

    @Override
    public Dialect dialect() {
      return delegate.dialect(); // the SQL stays SQLite's; only the notifications are shared mode's
    }

    @Override
    public <T> T write(WriteOp<T> op) {
      return delegate.write(op);
    }

    @Override
    public <T> T read(ReadOp<T> op) {
      return delegate.read(op);
    }

    @Override
    public void migrate(String module) {
      delegate.migrate(module);
    }

    @Override
    public void check() {
      delegate.check();
    }

    @Override
    public void notifyChange(Connection tx, String channel, String payload) throws SQLException {
      // the test notifies by hand
    }

    @Override
    public Subscription listen(String channel, Listener l) {
      listener = l;
      return new Subscription() {
        @Override
        public boolean listening() {
          return listening;
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
