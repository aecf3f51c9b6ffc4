package io.buildindex.cluster;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.buildindex.config.ClusterConfig;
import io.buildindex.config.HostPort;
import io.buildindex.hashring.ConsulTls;
import io.buildindex.hashring.HashRing;
import io.buildindex.hashring.HashRings;
import io.buildindex.tagstore.TagStore;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's cluster membership and the work that comes with it: the hash ring, neighbor
 * duplication, owner reads, listings merged from every member and periodic anti-entropy. With no
 * {@code cluster} section the ring is this node alone and every operation is local. Thread-safe.
 */
public final class Cluster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Cluster.class);
  /**
   * How long a listing waits for a member's page: a page of up to 10,000 records is read from an
   * index in milliseconds; the HTTP client's own 5 s call timeout bounds the call behind it.
   */
  static final Duration LIST_TIMEOUT = Duration.ofSeconds(5);

  /**
   * What a cluster is built from. {@code config} null means a single node; {@code consulTls} is
   * used for a Consul agent at an {@code https://} address.
   */
  public record Setup(@Nullable ClusterConfig config, HostPort listen, Neighbors.Staggers staggers, OkHttpClient http,
      ObjectMapper json, ConsulTls consulTls) {}

  private final HashRing ring;
  private final Neighbors neighbors;
  private final AntiEntropy antiEntropy;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService calls;
  private final @Nullable Duration antiEntropyInterval;
  private final Listing listing;

  private Cluster(HashRing ring, Neighbors neighbors, AntiEntropy antiEntropy, ScheduledExecutorService scheduler,
      ExecutorService calls, @Nullable Duration antiEntropyInterval, Listing listing) {
    this.ring = ring;
    this.neighbors = neighbors;
    this.antiEntropy = antiEntropy;
    this.scheduler = scheduler;
    this.calls = calls;
    this.antiEntropyInterval = antiEntropyInterval;
    this.listing = listing;
  }

  /** {@code clock} is the composition root's: the ring's health tracking reads it. */
  public static Cluster create(Setup setup, TagStore store, Clock clock, MetricRegistry metrics) {
    ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, Thread.ofPlatform().name("cluster-", 0).daemon().factory());
    ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    HashRing ring = HashRings.create(setup.config(), setup.listen(), setup.http(), setup.consulTls(), scheduler,
        clock, metrics);
    NeighborClient client = new NeighborClient(setup.http(), setup.json());
    Neighbors neighbors = new Neighbors(ring, client, setup.staggers(), calls, metrics);
    AntiEntropy antiEntropy = new AntiEntropy(ring, store, client, setup.json(), metrics);
    Listing listing = setup.config() == null ? Listing.local(store) : new RingListing(ring, store, client,
        setup.config().maxReplica(), new PageMerge(calls, LIST_TIMEOUT), metrics);
    return new Cluster(ring, neighbors, antiEntropy, scheduler, calls,
        setup.config() == null ? null : setup.config().antiEntropyInterval(), listing);
  }

  /** Loads membership, then starts health probes and (in a cluster) periodic anti-entropy. */
  public void start() {
    ring.start();
    if (antiEntropyInterval != null) {
      long millis = antiEntropyInterval.toMillis();
      scheduler.scheduleWithFixedDelay(this::antiEntropyRound, millis, millis, TimeUnit.MILLISECONDS);
      log.info("cluster of {} members, this node is {}", ring.members().size(), ring.self());
    }
  }

  private void antiEntropyRound() {
    try {
      antiEntropy.runOnce();
    } catch (Throwable e) { // an Error too: a periodic task that throws is never run again
      log.warn("anti-entropy round failed", e);
    }
  }

  /**
   * Whether this node has peers (a {@code cluster} section): then each node stores only the tags
   * it owns and {@link #listing()} must ask the members. Without, the local listing is complete.
   */
  public boolean hasPeers() {
    return listing instanceof RingListing;
  }

  /** The listing of every member's tags, merged; for a node without peers, its own store's. */
  public Listing listing() {
    return listing;
  }

  public HashRing ring() {
    return ring;
  }

  public Neighbors neighbors() {
    return neighbors;
  }

  public AntiEntropy antiEntropy() {
    return antiEntropy;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    calls.shutdown();
    ring.close();
  }
}
