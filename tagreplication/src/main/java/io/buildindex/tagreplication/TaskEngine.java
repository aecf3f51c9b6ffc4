package io.buildindex.tagreplication;

import io.buildindex.config.TagReplicationConfig;
import io.buildindex.database.LocalDb;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running part of replication: the dispatcher that claims, the lanes and workers that attempt,
 * and the writer that records results. Thread-safe.
 */
final class TaskEngine implements TaskAttempts {
  private static final Logger log = LoggerFactory.getLogger(TaskEngine.class);
  /** How long {@link #close} lets running attempts finish; their rows are reset at the next start otherwise. */
  static final Duration CLOSE_GRACE = Duration.ofSeconds(10);

  private final TagReplicator replicator;
  private final ReplicationMetrics metrics;
  private final Clock clock;
  private final ExecutorService workers;
  private final ResultWriter results;
  private final Lanes lanes;
  private final Dispatcher dispatcher;
  private final DestinationHealthLog healthLog;
  private final LeaseKeeper leases;
  private final SqliteTaskClaims claims;
  private final boolean shared;
  private volatile boolean running;

  /** What the engine works with besides the replicator; {@code random} drives the retry jitter. */
  record Collaborators(LocalDb db, TagReplicationConfig config, ReplicationMetrics metrics, Clock clock, RandomGenerator random,
      TaskSql sql, Lease lease) {
    /** On SQLite, as the {@link Lease#LOCAL} node with the configured lease duration. */
    Collaborators(LocalDb db, TagReplicationConfig config, ReplicationMetrics metrics, Clock clock, RandomGenerator random) {
      this(db, config, metrics, clock, random, TaskSql.sqlite(), new Lease(Lease.LOCAL, config.leaseDuration()));
    }
  }

  TaskEngine(TagReplicator replicator, List<String> destinations, Collaborators with) {
    TagReplicationConfig config = with.config();
    RetryPolicy policy = RetryPolicy.of(config);
    this.replicator = replicator;
    this.metrics = with.metrics();
    this.clock = with.clock();
    this.workers = Executors.newFixedThreadPool(config.numWorkers(),
        Thread.ofPlatform().name("replication-worker-", 0).daemon().factory());
    this.leases = new LeaseKeeper(with.db(), with.lease(), clock);
    this.results = new ResultWriter(with.db(), new SqliteTaskResults(policy, with.random(), with.lease().owner()),
        this::wake, metrics::finished, leases::release);
    List<DestinationLane> lanes = destinations.stream()
        .map(d -> new DestinationLane(d, config.maxConcurrencyPerDestination(), new DestinationBreaker(policy))).toList();
    this.lanes = new Lanes(lanes, config.numWorkers(), workers, this, clock);
    destinations.forEach(d -> metrics.registerWindowGauge(d, () -> (long) this.lanes.window(d)));
    this.healthLog = new DestinationHealthLog(with.db());
    this.claims = new SqliteTaskClaims(with.sql(), with.lease());
    this.shared = with.db().dialect().shared();
    this.dispatcher = new Dispatcher(with.db(), new Dispatcher.Claiming(claims, leases, metrics::leasesExpired),
        this.lanes, clock, config.pollRetriesInterval());
  }

  void start() {
    results.start();
    leases.start();
    dispatcher.start();
    running = true;
  }

  /**
   * In the transaction that just enqueued the task of ({@code tag}, {@code destination}), due at
   * {@code now}: claims it for this node when its lane is idle, to be handed over by
   * {@link #handOver} once the transaction committed. Empty when the lane is busy (the dispatcher
   * claims it then, in order with what waits), on PostgreSQL, or when the engine does not run.
   *
   * <p>Design: an idle destination's new write otherwise waits for the dispatcher's claim, a
   * second transaction on the single writer after the write's commit: measured at 0.4 to 0.9 ms
   * between the acknowledgement and the request leaving, on a 20 ms link's lag of about 12 ms.
   * Claiming here costs the write two statements, only while its lane has nothing claimed or in
   * flight.
   * Should the hand-over never come (the caller died between the commit and it), the lease runs
   * out and the task is claimed again, as after any node's death. PostgreSQL may run a write's
   * transaction again after a deadlock, so a claim there could be one of a rolled-back run: it
   * keeps the dispatcher's way, which hands over only what a commit made this node's.
   */
  Optional<ClaimedTask> claimIfIdle(Connection tx, String tag, String destination, Instant now) throws SQLException {
    if (shared || !running || !lanes.idle(destination, now)) {
      return Optional.empty();
    }
    return claims.claimOne(tx, tag, destination, now);
  }

  /** Hands tasks claimed by {@link #claimIfIdle} to their lanes, after their transaction committed. */
  void handOver(List<ClaimedTask> tasks) {
    if (tasks.isEmpty()) {
      return;
    }
    leases.hold(tasks);
    lanes.handOver(tasks, clock.instant());
  }

  @Override
  public List<TaskResult> attempt(List<ClaimedTask> tasks) {
    return metrics.time(() -> replicator.replicate(tasks));
  }

  @Override
  public int batchLimit(String destination) {
    return replicator.batchLimit(destination);
  }

  @Override
  public void record(Finished finished) {
    if (finished.result() instanceof TaskResult.Failed f) {
      log.debug("{} failed: {}", finished.task(), f.lastError());
    }
    results.add(finished);
  }

  @Override
  public void reportHealth(List<HealthEvent> events) {
    events.forEach(healthLog::log);
  }

  /** Each destination's health, without tasks waiting (the caller counts them). */
  List<DestinationStatus> destinations() {
    return lanes.destinations();
  }

  /** Closes the breakers of {@code destinations} and wakes them: an operator's retry runs now. */
  void closeBreakers(java.util.Collection<String> destinations, String why) {
    lanes.closeBreakers(destinations, why);
  }

  /** Why the engine cannot replicate (a thread of it has ended); empty while it runs. */
  Optional<String> failure() {
    return dispatcher.failure().or(results::failure);
  }

  /** Work for {@code destination} may be due at {@code due}. */
  void wake(String destination, Instant due) {
    lanes.wake(destination, due);
  }

  void wakeAll() {
    lanes.wakeAll(clock.instant());
  }

  private void wake(List<DestinationDue> wakes) {
    lanes.wake(wakes);
  }

  /** Stops claiming, releases claimed tasks, lets running ones finish for {@link #CLOSE_GRACE}, records results. */
  void close() {
    running = false;
    dispatcher.stop();
    try {
      int left = lanes.awaitIdle(CLOSE_GRACE);
      if (left > 0) {
        log.warn("{} replication attempts still running at shutdown; they run again after the restart", left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    results.close();
    leases.stop();
    workers.shutdownNow();
  }
}
