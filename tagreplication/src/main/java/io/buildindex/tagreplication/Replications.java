package io.buildindex.tagreplication;

import com.codahale.metrics.Gauge;
import io.buildindex.config.HostPort;
import io.buildindex.config.TagReplicationConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;

/** Builds {@link Replication}. */
public final class Replications {
  /** Limit of one call to a remote build-index (tag GET, PUT, DELETE, origin): the bodies are tiny. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);
  /** Gauge: 1 while the replication engine runs, 0 once it has stopped working (see {@link Replication#failure()}). */
  public static final String ENGINE_UP = ReplicationMetrics.PREFIX + ".engine_up";
  /** Gauge per destination: 1 while its circuit breaker is not closed (open, or half-open while probing). */
  public static final String BREAKER_OPEN = ReplicationMetrics.PREFIX + "_destination_breaker_open";
  /** How long idle connections to remotes are kept: long enough to span bursts. */
  private static final Duration KEEP_ALIVE = Duration.ofMinutes(5);

  private Replications() {}

  /**
   * Applies the module's migrations to {@code context.db()} and returns a replication for
   * {@code remotes} (remote {@code host:port} to tag regexes, as in the configuration), not started.
   * With no remotes it still cancels leftover tasks at {@link Replication#start()}. Throws
   * {@link io.buildindex.config.ConfigException} for a bad remote address or regex.
   *
   * @param blobs copies a tag's blobs to the remote origin before the tag; {@link BlobReplicator#NONE} to skip
   * @param dependencies the blobs of tags that backfill enqueues
   */
  public static Replication create(Map<String, List<String>> remotes, TagReplicationConfig config,
      ReplicationContext context, BlobReplicator blobs, DependencyResolver dependencies) {
    RemoteRules rules = RemoteRules.compile(remotes);
    context.db().migrate("tagreplication");
    ReplicationMetrics metrics = new ReplicationMetrics(context.metrics());
    ReplicationMetrics.registerQueueGauges(context.metrics(), context.db(), rules.destinations().keySet(), context.clock());
    TagReplicator replicator = new TagReplicator(clients(rules, context, config), blobs);
    TaskEngine engine = new TaskEngine(replicator, List.copyOf(rules.destinations().keySet()),
        new TaskEngine.Collaborators(context.db(), config, metrics, context.clock(), RandomGenerator.getDefault(),
            context.sql(), new Lease(context.nodeId(), config.leaseDuration())));
    Backfiller backfiller = new Backfiller(context, rules, dependencies,
        new Backfiller.BackfillPace(config.backfillRatePerSecond(), config.pollRetriesInterval()), engine::wake);
    RuleSummaries summaries = new RuleSummaries(context.tags());
    Verification verification = new Verification(context, rules,
        new RuleVerifier(context.tags(), summaries, new OriginCheck(summaries, dependencies, blobs,
            config.backfillRatePerSecond(), Repairs.Pacer.SLEEP)),
        new Repairs(context, dependencies, config.backfillRatePerSecond(), Repairs.Pacer.SLEEP, engine::wake),
        config.verificationInterval());
    registerBreakerGauges(context, engine, rules.destinations().keySet());
    QueuedReplication replication = new QueuedReplication(context, rules, engine,
        new BackfillAndPurge(context, backfiller, config.doneRetention()), verification);
    // 0 once a thread of the engine has ended: replication has stopped though the node serves.
    context.metrics().remove(ENGINE_UP);
    context.metrics().register(ENGINE_UP, (Gauge<Integer>) () -> replication.failure().isPresent() ? 0 : 1);
    return replication;
  }

  /* 1 while the destination's breaker is open or half-open (probing after an open period); read from the
   * engine's memory, not the database, so a scrape costs no query. */
  private static void registerBreakerGauges(ReplicationContext context, TaskEngine engine, Iterable<String> destinations) {
    for (String destination : destinations) {
      String name = ReplicationMetrics.labeled(BREAKER_OPEN, "destination", destination);
      context.metrics().remove(name);
      context.metrics().register(name, (Gauge<Integer>) () -> engine.destinations().stream()
          .anyMatch(d -> d.destination().equals(destination) && d.state() != BreakerState.CLOSED) ? 1 : 0);
    }
  }

  static OkHttpClient remoteHttp(OkHttpClient caller, int workers) {
    TagReplicationConfig defaults = TagReplicationConfig.defaults();
    return remoteHttp(caller, workers, defaults.connectTimeout(), defaults.readTimeout());
  }

  /* Short connect and read timeouts: a remote that accepts connections but never answers holds a
   * worker until one of them expires (see Lanes for why it cannot hold them all). */
  static OkHttpClient remoteHttp(OkHttpClient caller, int workers, Duration connectTimeout, Duration readTimeout) {
    return caller.newBuilder()
        .connectTimeout(connectTimeout)
        .readTimeout(readTimeout)
        .writeTimeout(readTimeout)
        .connectionPool(new ConnectionPool(Math.max(5, workers), KEEP_ALIVE.toMinutes(), TimeUnit.MINUTES))
        .socketFactory(new NoDelaySocketFactory())
        // A remote's redirect is an answer, not an instruction: following it would send our
        // writes (and the caller's bearer token, on the same host) where the remote says.
        .followRedirects(false)
        .followSslRedirects(false)
        .build();
  }

  /* One connection pool for all remotes, sized for the workers: the caller's pool may keep fewer
   * idle connections than workers, which would reconnect on most calls under load. Nagle off: see
   * NoDelaySocketFactory. */
  private static Map<String, RemoteClient> clients(RemoteRules rules, ReplicationContext context,
      TagReplicationConfig config) {
    OkHttpClient http = remoteHttp(context.http(), config.numWorkers(), config.connectTimeout(), config.readTimeout());
    Map<String, RemoteClient> clients = new LinkedHashMap<>();
    for (Map.Entry<String, HostPort> e : rules.destinations().entrySet()) {
      clients.put(e.getKey(), new RemoteClient(e.getValue(), http, DEFAULT_CALL_TIMEOUT, context.clock()));
    }
    return clients;
  }
}
