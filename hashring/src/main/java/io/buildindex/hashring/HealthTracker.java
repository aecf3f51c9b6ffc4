package io.buildindex.hashring;

import io.buildindex.config.ClusterConfig.HealthCheckConfig;
import io.buildindex.config.HostPort;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health of each member: {@code fails} failed calls or probes in a row mark a healthy member
 * unhealthy, {@code passes} successful ones in a row make it healthy again. New members start
 * healthy. Outcomes come from callers ({@link #recordFailure}, {@link #recordSuccess}) and from
 * {@link #probeOnce()}, a {@code GET /health} to every member, this node included so that every
 * node judges every member alike. Thread-safe and lock-free.
 */
final class HealthTracker {
  /*
   * Design: passive outcomes and active probes feed one counter per member, as in Kraken's
   * healthcheck filter, so a member that times out on real calls is skipped before the next probe
   * and one that answers probes comes back even when nobody calls it. Each state is an immutable
   * Health swapped in with compare-and-set, so concurrent reports never lose a count.
   */

  private static final Logger log = LoggerFactory.getLogger(HealthTracker.class);

  private final HealthCheckConfig cfg;
  private final OkHttpClient http;
  private final ConcurrentMap<HostPort, Health> states = new ConcurrentHashMap<>();

  /** Probes with {@code http}, each probe bounded by {@code cfg.timeout()}. */
  HealthTracker(HealthCheckConfig cfg, OkHttpClient http) {
    this.cfg = cfg;
    this.http = http.newBuilder().callTimeout(cfg.timeout()).build();
  }

  Duration interval() {
    return cfg.interval();
  }

  /** Tracks exactly {@code members}: new ones start healthy, departed ones are forgotten. */
  void track(Collection<HostPort> members) {
    states.keySet().retainAll(members);
    members.forEach(m -> states.putIfAbsent(m, Health.HEALTHY));
  }

  /** Whether {@code member} is healthy; one that is not tracked is. */
  boolean isHealthy(HostPort member) {
    Health h = states.get(member);
    return h == null || h.healthy();
  }

  void recordSuccess(HostPort member) {
    record(member, true);
  }

  void recordFailure(HostPort member) {
    record(member, false);
  }

  /**
   * Probes every tracked member once, concurrently; the future completes when every probe has an
   * outcome (at most {@code timeout} later). A 2xx answer is a success, anything else a failure.
   */
  CompletableFuture<Void> probeOnce() {
    return CompletableFuture.allOf(states.keySet().stream().map(this::probe).toArray(CompletableFuture<?>[]::new));
  }

  private CompletableFuture<Void> probe(HostPort member) {
    HttpUrl url = HttpUrl.parse("http://" + member + "/health");
    if (url == null) {
      log.debug("health probe of {} skipped: not a valid URL host", member);
      record(member, false);
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    http.newCall(new Request.Builder().url(url).build()).enqueue(new Callback() {
      @Override
      public void onResponse(Call call, Response response) {
        try (response) {
          record(member, response.isSuccessful());
        }
        done.complete(null);
      }

      @Override
      public void onFailure(Call call, IOException e) {
        log.debug("health probe of {} failed: {}", member, e.toString());
        record(member, false);
        done.complete(null);
      }
    });
    return done;
  }

  private void record(HostPort member, boolean success) {
    while (true) {
      Health before = states.get(member);
      if (before == null) {
        return; // no longer a member: a late report about it is moot
      }
      Health after = before.after(success, cfg);
      if (before.equals(after) || states.replace(member, before, after)) {
        logTransition(member, before, after);
        return;
      }
    }
  }

  private void logTransition(HostPort member, Health before, Health after) {
    if (before.healthy() && !after.healthy()) {
      log.warn("member {} is unhealthy after {} failures in a row, skipping it", member, cfg.fails());
    } else if (!before.healthy() && after.healthy()) {
      log.info("member {} is healthy again after {} successes in a row", member, cfg.passes());
    }
  }

  /**
   * A member's health and how many outcomes in a row argue for the opposite: failures while
   * healthy, successes while unhealthy.
   */
  record Health(boolean healthy, int streak) {
    static final Health HEALTHY = new Health(true, 0);

    Health after(boolean success, HealthCheckConfig cfg) {
      if (success == healthy) {
        return new Health(healthy, 0);
      }
      int needed = healthy ? cfg.fails() : cfg.passes();
      return streak + 1 >= needed ? new Health(!healthy, 0) : new Health(healthy, streak + 1);
    }
  }
}
