package io.buildindex.hashring;

import com.codahale.metrics.Counter;
import io.buildindex.config.HostPort;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last known members from a {@link MembershipSource}. {@link #refresh()} asks the source and
 * either takes its answer or, when the source fails, keeps the previous members and records why.
 * Changes and failures are logged once each. Thread-safe for readers; {@link #refresh()} is called
 * from one thread at a time.
 */
final class Membership implements AutoCloseable {
  /** Order of member lists everywhere in this package: host, then port. */
  static final Comparator<HostPort> BY_ADDRESS = Comparator.comparing(HostPort::host).thenComparingInt(HostPort::port);

  private static final Logger log = LoggerFactory.getLogger(Membership.class);

  private final MembershipSource source;
  private final Duration ttl;
  private final Clock clock;
  private final Instant created;
  private final Counter refreshFailures = new Counter();
  private volatile Snapshot snapshot = new Snapshot(List.of(), null, null);
  /** Wildcard entries dropped by the last refresh; only {@link #refresh()} touches it. */
  private List<HostPort> ignored = List.of();

  Membership(MembershipSource source, Duration ttl, Clock clock) {
    this.source = source;
    this.ttl = ttl;
    this.clock = clock;
    this.created = clock.instant();
  }

  /**
   * Asks the source once; returns whether the member list changed. Never throws: a failure (an
   * exception, or an empty answer) is counted and reported by {@link #error()}.
   */
  boolean refresh() {
    List<HostPort> fetched;
    try {
      fetched = usable(source.fetch());
    } catch (IOException | RuntimeException e) {
      failed(e.getMessage() == null ? e.toString() : e.getMessage());
      return false;
    }
    if (fetched.isEmpty()) {
      // An empty cluster is never the truth (this node is running), so it is a source problem:
      // every check flapping at once, a DNS record mid-update. Shrinking to nothing would move all tags.
      failed("no members");
      return false;
    }
    return succeeded(fetched);
  }

  String kind() {
    return source.kind();
  }

  Duration ttl() {
    return ttl;
  }

  /** The last known members, sorted; empty until the source first answers. */
  List<HostPort> members() {
    return snapshot.members();
  }

  /** When the source last answered, or null when it never has. */
  @Nullable Instant lastRefresh() {
    return snapshot.lastSuccess();
  }

  /** Time since the source last answered, or since creation when it never has. */
  Duration sinceLastRefresh() {
    Instant last = snapshot.lastSuccess();
    return Duration.between(last == null ? created : last, clock.instant());
  }

  /** Why the source is failing, or null when its last call succeeded. */
  @Nullable String error() {
    Snapshot s = snapshot;
    Failure f = s.failure();
    if (f == null) {
      return null;
    }
    String fallback = s.members().isEmpty()
        ? "no membership known yet, running alone"
        : "using last known membership of " + s.members().size();
    return source.kind() + " unreachable since " + f.since() + ": " + f.message() + ", " + fallback;
  }

  /** Failed refreshes since creation. */
  Counter refreshFailures() {
    return refreshFailures;
  }

  @Override
  public void close() {
    source.close();
  }

  private synchronized void failed(String message) {
    refreshFailures.inc();
    Snapshot s = snapshot;
    if (s.failure() == null) {
      log.warn("{} membership refresh failed, keeping {} known members: {}",
          source.kind(), s.members().size(), message);
    } else {
      log.debug("{} membership refresh failed again: {}", source.kind(), message);
    }
    Instant since = s.failure() == null ? clock.instant() : s.failure().since();
    snapshot = new Snapshot(s.members(), s.lastSuccess(), new Failure(since, message));
  }

  private synchronized boolean succeeded(List<HostPort> fetched) {
    Snapshot s = snapshot;
    if (s.failure() != null) {
      log.info("{} membership source answers again after failing since {}", source.kind(), s.failure().since());
    }
    boolean changed = !fetched.equals(s.members());
    if (changed) {
      logChange(s.members(), fetched);
    }
    snapshot = new Snapshot(fetched, clock.instant(), null);
    return changed;
  }

  private void logChange(List<HostPort> before, List<HostPort> after) {
    List<HostPort> added = new ArrayList<>(after);
    added.removeAll(before);
    List<HostPort> removed = new ArrayList<>(before);
    removed.removeAll(after);
    log.info("{} membership changed: added {}, removed {}, now {} members",
        source.kind(), added, removed, after.size());
  }

  /** Distinct, sorted, without wildcard hosts (nobody can dial 0.0.0.0); warns once per new set ignored. */
  private List<HostPort> usable(List<HostPort> fetched) {
    List<HostPort> wildcards = fetched.stream().filter(m -> LocalAddresses.isWildcard(m.host())).toList();
    if (!wildcards.isEmpty() && !wildcards.equals(ignored)) {
      log.warn("{} membership: ignoring members with a wildcard host, which cannot be dialled: {}",
          source.kind(), wildcards);
    }
    ignored = wildcards;
    return fetched.stream()
        .filter(m -> !LocalAddresses.isWildcard(m.host()))
        .distinct()
        .sorted(BY_ADDRESS)
        .toList();
  }

  private record Snapshot(List<HostPort> members, @Nullable Instant lastSuccess, @Nullable Failure failure) {}

  private record Failure(Instant since, String message) {}
}
