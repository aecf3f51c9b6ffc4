package io.buildindex.hashring;

import io.buildindex.config.HostPort;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ring of a node in a cluster: rendezvous hashing over the members of a {@link Membership},
 * skipping those the {@link HealthTracker} judges unhealthy. Thread-safe; lookups read an
 * immutable snapshot that {@link #refresh()} replaces when membership changes.
 */
final class ClusterRing implements HashRing {
  /*
   * Design: the snapshot (ring and self) is rebuilt only when the member list changes, because
   * finding self resolves every entry's host; health is read live on each lookup, so a failure
   * reported by a caller takes effect on the very next lookup. Until the source first answers (or
   * if it never has), the ring is this node alone so that everything keeps working.
   */

  private static final Logger log = LoggerFactory.getLogger(ClusterRing.class);

  private final Membership membership;
  private final HealthTracker health;
  private final LocalAddresses local;
  private final int maxReplica;
  private final ScheduledExecutorService scheduler;
  private final AtomicBoolean started = new AtomicBoolean();
  private final List<ScheduledFuture<?>> tasks = new CopyOnWriteArrayList<>();
  private volatile Snapshot snapshot;

  ClusterRing(Membership membership, HealthTracker health, LocalAddresses local, int maxReplica,
      ScheduledExecutorService scheduler) {
    if (maxReplica < 1) {
      throw new IllegalArgumentException("maxReplica < 1: " + maxReplica);
    }
    this.membership = membership;
    this.health = health;
    this.local = local;
    this.maxReplica = maxReplica;
    this.scheduler = scheduler;
    this.snapshot = snapshotOf(membership.members());
  }

  @Override
  public HostPort self() {
    return snapshot.self();
  }

  @Override
  public List<HostPort> owners(String key) {
    RendezvousRing ring = snapshot.ring();
    List<HostPort> owners = ring.owners(key, maxReplica, health::isHealthy);
    // None healthy is more likely this node's own trouble (its network, a burst of timeouts) than
    // every peer down at once. Routing by the plain ring then keeps this node agreeing with the
    // others and lets calls fail and be reported, rather than leaving a tag with no owner at all.
    return owners.isEmpty() ? ring.owners(key, maxReplica, member -> true) : owners;
  }

  @Override
  public List<HostPort> ownersIgnoringHealth(String key) {
    return snapshot.ring().owners(key, maxReplica, member -> true);
  }

  @Override
  public boolean isOwner(String key) {
    return owners(key).contains(self());
  }

  @Override
  public List<HostPort> members() {
    return snapshot.ring().members();
  }

  @Override
  public List<HostPort> healthyMembers() {
    return members().stream().filter(health::isHealthy).toList();
  }

  @Override
  public void recordFailure(HostPort member) {
    health.recordFailure(member);
  }

  @Override
  public void recordSuccess(HostPort member) {
    health.recordSuccess(member);
  }

  @Override
  public RingStatus status() {
    List<HostPort> members = members();
    int healthy = (int) members.stream().filter(health::isHealthy).count();
    return new RingStatus(membership.kind(), members.size(), healthy, membership.lastRefresh(), membership.error());
  }

  @Override
  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("already started");
    }
    refresh();
    every(membership.ttl(), guarded("refresh", this::refresh));
    every(health.interval(), guarded("probe", health::probeOnce));
  }

  @Override
  public void close() {
    tasks.forEach(task -> task.cancel(false));
    membership.close();
  }

  /** Refreshes membership once; rebuilds the ring when it changed. Called from one thread at a time. */
  void refresh() {
    if (membership.refresh()) {
      List<HostPort> members = membership.members();
      health.track(members);
      snapshot = snapshotOf(members);
    }
  }

  Membership membership() {
    return membership;
  }

  private Snapshot snapshotOf(List<HostPort> members) {
    if (members.isEmpty()) {
      return new Snapshot(new RendezvousRing(List.of(local.listen())), local.listen());
    }
    HostPort self = local.selfAmong(members);
    if (!members.contains(self)) {
      log.warn("this node ({}) is not among the {} members, so it owns no tags", self, members.size());
    }
    return new Snapshot(new RendezvousRing(members), self);
  }

  private void every(Duration period, Runnable task) {
    long millis = period.toMillis();
    tasks.add(scheduler.scheduleWithFixedDelay(task, millis, millis, TimeUnit.MILLISECONDS));
  }

  /** A scheduled task must not throw: the executor would silently stop running it. */
  private static Runnable guarded(String name, Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.error("hash ring {} failed", name, e);
      }
    };
  }

  private record Snapshot(RendezvousRing ring, HostPort self) {}
}
