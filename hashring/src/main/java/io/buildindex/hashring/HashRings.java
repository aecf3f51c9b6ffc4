package io.buildindex.hashring;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.ClusterConfig;
import io.buildindex.config.HostPort;
import io.buildindex.config.HostsConfig;
import io.buildindex.config.HostsConfig.ConsulConfig;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/** Builds the {@link HashRing} a node's configuration asks for. Stateless. */
public final class HashRings {
  private HashRings() {}

  /**
   * The ring for {@code cfg}, not yet started: {@link HashRing#single} of {@code listenAddr} when
   * there is no cluster section, otherwise a ring over the configured hosts that registers its
   * metrics (under {@code hashring.}) in {@code metrics}.
   *
   * @param listenAddr this node's listen address; its port tells which member entry is this node
   * @param http the client for health probes; its {@link OkHttpClient#dns() dns} resolves hosts
   * @param scheduler runs membership refreshes and health probes once started
   */
  public static HashRing create(@Nullable ClusterConfig cfg, HostPort listenAddr, OkHttpClient http,
      ScheduledExecutorService scheduler, Clock clock, MetricRegistry metrics) {
    return create(cfg, listenAddr, http, ConsulTls.NONE, scheduler, clock, metrics);
  }

  /**
   * As {@link #create(ClusterConfig, HostPort, OkHttpClient, ScheduledExecutorService, Clock,
   * MetricRegistry)}, calling a Consul agent at an {@code https://} address over {@code consulTls}.
   */
  public static HashRing create(@Nullable ClusterConfig cfg, HostPort listenAddr, OkHttpClient http,
      ConsulTls consulTls, ScheduledExecutorService scheduler, Clock clock, MetricRegistry metrics) {
    if (cfg == null) {
      return HashRing.single(listenAddr);
    }
    Membership membership = new Membership(source(cfg.hosts(), http, consulTls), cfg.hosts().ttl(), clock);
    HealthTracker health = new HealthTracker(cfg.healthcheck(), http);
    LocalAddresses local = new LocalAddresses(listenAddr, http.dns());
    ClusterRing ring = new ClusterRing(membership, health, local, cfg.maxReplica(), scheduler);
    RingMetrics.register(metrics, ring);
    return ring;
  }

  private static MembershipSource source(HostsConfig hosts, OkHttpClient http, ConsulTls consulTls) {
    ConsulConfig consul = hosts.consul();
    String dns = hosts.dns();
    if (consul != null) {
      return new ConsulMembership(consul, hosts.ttl(), consulTls); // a refresh should not outlast its period
    }
    if (dns != null) {
      return new DnsMembership(HostPort.parse(dns), http.dns());
    }
    return new StaticMembership(hosts.staticHosts());
  }
}
