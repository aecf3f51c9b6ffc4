package io.buildindex.docker;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.buildindex.config.HostPort;
import io.buildindex.config.HostsConfig;
import io.buildindex.config.OriginConfig;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * Builds this module's seams from configuration: the {@link Origin} of the {@code origin}
 * section and the {@code docker} tag type's {@link ImageDependencies}. Stateless.
 */
public final class Origins {
  /** Meter of bytes streamed between registries by replication (count and rate). */
  public static final String TRANSFER_BYTES = "docker.transfer.bytes";

  private Origins() {}

  /**
   * The origin of {@code config}; {@link Origin#none()} when it is absent. A Kraken cluster
   * listed by Consul needs {@link #create(OriginConfig, OkHttpClient, MetricRegistry, Clock, Supplier)}.
   */
  public static Origin create(@Nullable OriginConfig config, OkHttpClient http, MetricRegistry metrics, Clock clock) {
    List<HostPort> hosts = staticHosts(config); // fails now, at start-up, for a Consul list
    return create(config, http, metrics, clock, () -> hosts);
  }

  /**
   * The origin of {@code config}, a Kraken cluster's members coming from {@code krakenHosts}
   * (asked on every request, so it may be a live DNS or Consul list).
   */
  public static Origin create(@Nullable OriginConfig config, OkHttpClient http, MetricRegistry metrics, Clock clock,
      Supplier<List<HostPort>> krakenHosts) {
    if (config == null) {
      return Origin.none();
    }
    if (config.registry() != null) {
      return registry(config.registry(), http, metrics.meter(TRANSFER_BYTES), clock);
    }
    HostsConfig hosts = java.util.Objects.requireNonNull(config.hosts());
    return new KrakenOrigin(new KrakenCluster(krakenHosts, http), krakenAddress(hosts, krakenHosts),
        PollPolicy.defaults(), Sleeper.SYSTEM, clock);
  }

  /**
   * The {@code docker} tag type's resolver, reading manifests from {@code origin}, retrying a
   * missing one under {@code retry}.
   *
   * @throws IllegalArgumentException when {@code origin} was not built by {@link #create}
   *     (for example {@link Origin#none()}: docker tags need an origin to read manifests from)
   */
  public static ImageDependencies dockerResolver(Origin origin, PollPolicy retry, Sleeper sleeper) {
    if (!(origin instanceof ManifestSource source)) {
      throw new IllegalArgumentException("the docker tag type reads manifests from the origin, but " + origin
          + " cannot serve them: configure an origin section (registry or hosts)");
    }
    return new DockerResolver(source, retry, sleeper);
  }

  static RegistryOrigin registry(OriginConfig.RegistryConfig config, OkHttpClient http, Meter bytes, Clock clock) {
    TrustedHosts trusted = TrustedHosts.of(config);
    RegistryClients clients = new RegistryClients(http, config.username(), config.password(), clock, trusted);
    RegistryClient local = clients.forUrl(HttpUrl.get(config.url()));
    return new RegistryOrigin(local, clients, new RegistryReplicator(local, bytes, clock), trusted);
  }

  /**
   * Kraken's build-index reports its origin's DNS name; without one, the first static member, or
   * for Consul the first live member at the time of asking.
   */
  private static Supplier<String> krakenAddress(HostsConfig hosts, Supplier<List<HostPort>> members) {
    if (hosts.dns() != null) {
      String dns = hosts.dns();
      return () -> dns;
    }
    if (!hosts.staticHosts().isEmpty()) {
      String first = hosts.staticHosts().get(0).toString();
      return () -> first;
    }
    return () -> members.get().stream().findFirst().map(HostPort::toString).orElse("");
  }

  /** Static members as listed; a DNS name as one member that OkHttp resolves per connection. */
  private static List<HostPort> staticHosts(@Nullable OriginConfig config) {
    HostsConfig hosts = config == null ? null : config.hosts();
    if (hosts == null) {
      return List.of();
    }
    if (hosts.dns() != null) {
      return List.of(HostPort.parse(hosts.dns()));
    }
    if (hosts.consul() != null) {
      throw new IllegalArgumentException("origin.hosts.consul needs a host list: call Origins.create(config, http, "
          + "metrics, clock, hosts) with the Consul-backed list");
    }
    return hosts.staticHosts();
  }
}
