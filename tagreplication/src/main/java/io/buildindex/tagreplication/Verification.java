package io.buildindex.tagreplication;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.buildindex.tagstore.Tag;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodic verification of every remote rule (GitLab Geo's "verification"): each (remote, rule) is
 * compared every {@code interval} with what the remote holds, and tags it lacks are enqueued again
 * through {@link Repairs}. State lives in {@code replication_verification}, so a restart keeps the
 * schedule. Runs on its own thread, one rule at a time; {@link #verifyAll} runs every rule now
 * (tests). Thread-safe.
 *
 * <p>Design: a rule is due {@code interval} after its last run, or after it was first configured
 * (a new rule is being backfilled; verifying it at once would only find the backfill's backlog).
 * Verification sees tasks as they are: a tag whose task is still pending is a mismatch that needs
 * no repair. A run that fails (remote down) is recorded and retried at the next interval.
 *
 * <p>The remote's summary is that of the node answering: against a remote cluster whose nodes
 * each hold only part of the tags, tags held by its other members look missing and are enqueued
 * again each run; their tasks then end done at once (the remote's GET asks its owners). Correct,
 * but work wasted: verification fits remotes whose every node holds every tag.
 */
final class Verification implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Verification.class);
  /** How often due rules are looked for, at most: an interval shorter than this is its own tick. */
  static final Duration MAX_TICK = Duration.ofMinutes(1);

  private final ReplicationContext context;
  private final RemoteRules rules;
  private final RuleVerifier verifier;
  private final Repairs repairs;
  private final Duration interval;
  private final Map<String, VerificationClient> clients = new LinkedHashMap<>();
  private final SqliteVerificationLog table;
  private final Map<List<String>, Instant> lastSuccess = new ConcurrentHashMap<>();
  private final Counter runs;
  private final Counter failedRuns;
  private final Counter mismatches;
  private final Counter repaired;
  private final ScheduledThreadPoolExecutor scheduler =
      new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("replication-verification").daemon().factory());

  /** {@code interval} zero: never runs on its own and registers no gauges, but still answers {@link #progress}. */
  Verification(ReplicationContext context, RemoteRules rules, RuleVerifier verifier, Repairs repairs, Duration interval) {
    this.context = context;
    this.table = new SqliteVerificationLog(context.sql());
    this.rules = rules;
    this.verifier = verifier;
    this.repairs = repairs;
    this.interval = interval;
    rules.destinations().forEach((name, address) -> clients.put(name, new VerificationClient(address, context.http())));
    MetricRegistry metrics = context.metrics();
    runs = metrics.counter(MetricRegistry.name(ReplicationMetrics.PREFIX, "verification_runs"));
    failedRuns = metrics.counter(MetricRegistry.name(ReplicationMetrics.PREFIX, "verification_failed_runs"));
    mismatches = metrics.counter(MetricRegistry.name(ReplicationMetrics.PREFIX, "verification_mismatches"));
    repaired = metrics.counter(MetricRegistry.name(ReplicationMetrics.PREFIX, "verification_repaired"));
    scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /** Records the configured rules, registers the gauges and, unless the interval is zero, schedules runs. */
  void start() {
    Instant now = context.clock().instant();
    context.db().write(tx -> {
      table.sync(tx, rules, now);
      return null;
    });
    for (SqliteVerificationLog.Row row : rows()) {
      VerificationProgress p = row.progress();
      lastSuccess.put(key(p.remote(), p.rule()), p.lastSuccess() == null ? now : p.lastSuccess());
    }
    if (interval.isZero()) {
      return; // disabled: no runs, and no gauge to raise a false alarm
    }
    for (String destination : rules.destinations().keySet()) {
      String name = ReplicationMetrics.labeled(ReplicationMetrics.PREFIX + "_verification_seconds_since_success",
          "destination", destination);
      context.metrics().remove(name);
      context.metrics().register(name, (Gauge<Long>) () -> secondsSinceSuccess(destination));
    }
    long tick = Math.min(interval.toMillis(), MAX_TICK.toMillis());
    scheduler.scheduleWithFixedDelay(this::runDue, tick, tick, TimeUnit.MILLISECONDS);
  }

  /* The oldest of the destination's rules: an alert on it fires when any rule stops verifying. */
  private long secondsSinceSuccess(String destination) {
    Instant now = context.clock().instant();
    return lastSuccess.entrySet().stream().filter(e -> e.getKey().get(0).equals(destination))
        .mapToLong(e -> Math.max(0, Duration.between(e.getValue(), now).toSeconds())).max().orElse(0);
  }

  private void runDue() {
    try {
      Instant now = context.clock().instant();
      for (SqliteVerificationLog.Row row : rows()) {
        Instant last = row.progress().lastRun() == null ? row.created() : row.progress().lastRun();
        if (!now.isBefore(last.plus(interval))) {
          rule(row).ifPresent(this::verify);
        }
      }
    } catch (RuntimeException e) {
      log.warn("verification round failed; trying again in {}", interval, e);
    }
  }

  /** Verifies every configured rule now, one after the other; returns how many tags were enqueued again. */
  long verifyAll() {
    long total = 0;
    for (RemoteRules.Rule rule : rules.rules()) {
      total += verify(rule);
    }
    return total;
  }

  /* Synchronized: a run of verifyAll must not overlap a scheduled one. */
  private synchronized long verify(RemoteRules.Rule rule) {
    Instant started = context.clock().instant();
    runs.inc();
    try {
      VerificationClient remote = clients.get(rule.destination());
      RuleVerifier.Found found = verifier.compare(rule.regex(), remote, m -> repairs.repair(rule.destination(), m));
      long n = found.repaired();
      OriginCheck.Result origin = verifier.checkOrigin(rule.regex(), remote, found);
      if (origin.missing() > 0) {
        log.warn("verification of {} for rule \"{}\": {} manifests missing at the remote origin, blobs of {} copied again",
            rule.destination(), rule.regex(), origin.missing(), origin.recopied());
      }
      SqliteVerificationLog.Outcome outcome = new SqliteVerificationLog.Outcome(found.bucketsCompared(),
          found.differingBuckets(), found.mismatches() + origin.missing(), n + origin.recopied());
      context.db().write(tx -> {
        table.succeeded(tx, rule, started, outcome);
        return null;
      });
      lastSuccess.put(key(rule.destination(), rule.regex()), started);
      report(rule, outcome);
      return n;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    } catch (RuntimeException e) {
      failedRuns.inc();
      log.warn("verification of {} for rule \"{}\" failed: {}", rule.destination(), rule.regex(), e.toString());
      context.db().write(tx -> {
        table.failed(tx, rule, started, e.toString());
        return null;
      });
      return 0;
    }
  }

  private void report(RemoteRules.Rule rule, SqliteVerificationLog.Outcome o) {
    mismatches.inc(o.mismatches());
    repaired.inc(o.repaired());
    if (o.mismatches() > 0) {
      log.warn("verification of {} for rule \"{}\": {} of {} buckets differ, {} tags missing or older there "
          + "(or their manifest at its origin), {} repaired (enqueued or copied again)",
          rule.destination(), rule.regex(), o.differingBuckets(), o.bucketsCompared(), o.mismatches(), o.repaired());
    } else {
      log.debug("verification of {} for rule \"{}\": in sync ({} buckets differ)", rule.destination(), rule.regex(),
          o.differingBuckets());
    }
  }

  /** Each configured rule's verification, in configuration order. */
  List<VerificationProgress> progress() {
    Map<List<String>, VerificationProgress> byKey = new LinkedHashMap<>();
    rows().forEach(r -> byKey.put(key(r.destination(), r.rule()), r.progress()));
    return rules.rules().stream().map(r -> byKey.get(key(r.destination(), r.regex()))).filter(Objects::nonNull).toList();
  }

  /** What verification knows of {@code tag} at each destination whose rules match it. */
  List<VerificationStatus> status(Tag tag) {
    return TagVerification.of(tag, rules, rows(), context.db().read(c -> table.marks(c, tag)));
  }

  private List<SqliteVerificationLog.Row> rows() {
    return context.db().read(table::all);
  }

  private java.util.Optional<RemoteRules.Rule> rule(SqliteVerificationLog.Row row) {
    return rules.rules().stream()
        .filter(r -> r.destination().equals(row.destination()) && r.regex().equals(row.rule())).findFirst();
  }

  private static List<String> key(String destination, String rule) {
    return List.of(destination, rule);
  }

  /** Drops scheduled runs and waits for one in progress (its writes are atomic anyway). */
  @Override
  public void close() {
    scheduler.shutdownNow(); // interrupts a run paused between repair chunks
    try {
      scheduler.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
