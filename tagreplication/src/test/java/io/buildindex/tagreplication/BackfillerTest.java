package io.buildindex.tagreplication;

import static io.buildindex.tagreplication.SqliteTaskQueueTest.D1;
import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.TagStoreConfig;
import io.buildindex.database.testing.SqliteFixture;
import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagStore;
import io.buildindex.tagstore.TagStores;
import io.buildindex.testing.FakeClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backfill steps run by hand (no scheduler), across a close and reopen of the database. */
final class BackfillerTest {
  private static final String DC2 = "dc2:15004";
  private static final int RATE = 2;

  @TempDir Path dir;
  private final FakeClock clock = new FakeClock();
  private final List<DestinationDue> wakes = new ArrayList<>();
  private SqliteFixture db;
  private TagStore tags;
  private RemoteRules rules = RemoteRules.compile(Map.of(DC2, List.of("^team/")));

  @BeforeEach
  void open() {
    db = SqliteFixture.open(dir, "tagstore", "tagreplication");
    tags = TagStores.create(db.db(), TagStoreConfig.defaults(), clock, new MetricRegistry());
  }

  @AfterEach
  void close() {
    tags.close();
    db.close();
  }

  /** Closes and opens the database and the tag store on it, as a restart does. */
  private void reopen() {
    tags.close();
    db.reopen();
    tags = TagStores.create(db.db(), TagStoreConfig.defaults(), clock, new MetricRegistry());
  }

  private ReplicationContext context() {
    return new ReplicationContext(db.db(), tags, new OkHttpClient(), clock, new MetricRegistry());
  }

  /** What a start does before backfill runs: registers rules never backfilled. */
  private Backfiller started() {
    new Recovery(context(), rules).run();
    return new Backfiller(context(), rules, DependencyResolver.DIGEST_ONLY,
        new Backfiller.BackfillPace(RATE, Duration.ofSeconds(1)), (d, at) -> wakes.add(new DestinationDue(d, at)));
  }

  private void put(String tag) {
    tags.put(Tag.parse(tag), D1, Generation.of(clock.millis(), 0));
  }

  private List<String> taskTags() {
    return db.db().read(c -> new TaskQueries().page(c, TaskFilter.all(), TaskQueries.Cursor.START, 100)).tasks().stream()
        .map(t -> t.tag().toString()).toList();
  }

  private BackfillProgress progress() {
    return db.db().read(c -> new SqliteBackfillLog().all(c)).get(0).progress();
  }

  @Test
  void step_enqueuesMatchingTagsAtTheRateAndResumesAfterRestart() {
    for (String tag : List.of("other/x:1", "team/a:1", "team/b:1", "team/c:1", "team/d:1", "team/e:1")) {
      put(tag);
    }
    assertThat(started().step()).contains(Duration.ofMillis(RATE * 1000L / RATE));
    assertThat(taskTags()).containsExactly("team/a:1", "team/b:1");
    assertThat(progress().cursor()).isEqualTo("team/b:1");
    assertThat(progress().state()).isEqualTo(BackfillProgress.RUNNING);
    assertThat(wakes).containsExactly(new DestinationDue(DC2, clock.instant()));

    reopen();
    Backfiller again = started();
    again.step();
    assertThat(taskTags()).containsExactly("team/a:1", "team/b:1", "team/c:1", "team/d:1");
    again.step();
    assertThat(progress().done()).isTrue();
    assertThat(again.step()).isEmpty();

    assertThat(taskTags()).containsExactly("team/a:1", "team/b:1", "team/c:1", "team/d:1", "team/e:1");
    assertThat(progress().enqueued()).isEqualTo(5);
    assertThat(progress().state()).isEqualTo(BackfillProgress.DONE);
    List<TaskStatus> tasks = db.db().read(c -> new TaskQueries().page(c, TaskFilter.all(), TaskQueries.Cursor.START, 100)).tasks();
    assertThat(tasks).allSatisfy(t -> assertThat(t.backfill()).isTrue());
  }

  @Test
  void step_skipsTombstonesAndNeverReplacesNewerTasks() {
    put("team/a:1");
    tags.delete(Tag.parse("team/gone:1"), Generation.of(clock.millis(), 1), TagStore.InTransaction.NONE);
    Backfiller backfiller = started();
    db.db().write(tx -> new SqliteTaskQueue().enqueue(tx, new TaskSpec(Tag.parse("team/a:1"), DC2, D1, List.of(D1),
        new Generation(Long.MAX_VALUE / 2), Priority.WRITE, clock.instant()), clock.instant()));

    backfiller.step();

    assertThat(taskTags()).containsExactly("team/a:1");
    assertThat(progress().enqueued()).isZero();
    assertThat(progress().done()).isTrue();
  }

  @Test
  void start_newRuleIsBackfilledRemovedRuleForgotten() {
    started();
    clock.advance(Duration.ofSeconds(1));
    rules = RemoteRules.compile(Map.of(DC2, List.of("^ops/")));
    started();
    List<SqliteBackfillLog.Row> rows = db.db().read(c -> new SqliteBackfillLog().all(c));
    assertThat(rows).extracting(SqliteBackfillLog.Row::rule).containsExactly("^ops/");
    assertThat(progress().state()).isEqualTo(BackfillProgress.PENDING);
    assertThat(progress().started()).isEqualTo(clock.instant());
    assertThat(Optional.ofNullable(progress().cursor())).isEmpty();
    assertThat(progress().updated()).isAfterOrEqualTo(Instant.EPOCH);
  }
}
