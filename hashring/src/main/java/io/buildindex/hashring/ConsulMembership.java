package io.buildindex.hashring;

import io.buildindex.config.HostPort;
import io.buildindex.config.HostsConfig.ConsulConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.kiwiproject.consul.Consul;
import org.kiwiproject.consul.ConsulException;
import org.kiwiproject.consul.model.health.ServiceHealth;
import org.kiwiproject.consul.option.ImmutableQueryOptions;
import org.kiwiproject.consul.option.QueryOptions;

/**
 * Members are the instances of a Consul service whose checks all pass
 * ({@code GET /v1/health/service/<service>?passing}), optionally only those with a tag, asked with
 * the configured ACL token. Thread-safe.
 */
final class ConsulMembership implements MembershipSource {
  /*
   * Design: one plain query per ttl rather than a blocking query (?index=&wait=). A blocking query
   * would hold a scheduler thread for up to its wait time, while membership of a build-index
   * cluster changes on deploys, minutes apart; the ttl (5s by default) bounds the lag as it does
   * for DNS. The token goes in the X-Consul-Token header, not the deprecated ?token= parameter
   * (which ends up in access logs). The client is built without the start-up ping so that a node
   * can start while Consul is down: the refresh reports that instead.
   */

  private static final String TOKEN_HEADER = "X-Consul-Token";

  private final String url;
  private final String service;
  private final QueryOptions options;
  private final Consul consul;

  /** Asks the agent at {@code cfg.address()}, giving up on a call after {@code timeout}. */
  ConsulMembership(ConsulConfig cfg, Duration timeout) {
    this(cfg, timeout, ConsulTls.NONE);
  }

  /** As {@link #ConsulMembership(ConsulConfig, Duration)}, over {@code tls} when the address is {@code https://}. */
  ConsulMembership(ConsulConfig cfg, Duration timeout, ConsulTls tls) {
    this.url = cfg.address().contains("://") ? cfg.address() : "http://" + cfg.address();
    this.service = cfg.service();
    this.options = cfg.tag().isEmpty()
        ? ImmutableQueryOptions.builder().build()
        : ImmutableQueryOptions.builder().addTag(cfg.tag()).build();
    Consul.Builder builder = Consul.builder();
    if (tls.context() != null && tls.trust() != null) {
      builder.withSslContext(tls.context()).withTrustManager(tls.trust());
    }
    this.consul = builder
        .withUrl(url)
        .withPing(false)
        .withHeaders(cfg.token().isEmpty() ? Map.of() : Map.of(TOKEN_HEADER, cfg.token()))
        .withConnectTimeoutMillis(timeout.toMillis())
        .withReadTimeoutMillis(timeout.toMillis())
        .build();
  }

  @Override
  public String kind() {
    return "consul";
  }

  @Override
  public List<HostPort> fetch() throws IOException {
    try {
      return consul.healthClient().getHealthyServiceInstances(service, options).getResponse().stream()
          .map(ConsulMembership::address)
          .toList();
    } catch (ConsulException e) {
      // The client's own message is terse ("Consul request failed"); the cause says why.
      String why = e.getCause() == null ? e.getMessage() : e.getMessage() + ": " + e.getCause();
      throw new IOException("consul at " + url + ": " + why, e);
    }
  }

  @Override
  public void close() {
    consul.destroy();
  }

  /** The service's address, or its node's when the service has none (as Consul documents). */
  private static HostPort address(ServiceHealth instance) {
    String host = instance.getService().getAddress();
    return new HostPort(host.isBlank() ? instance.getNode().getAddress() : host, instance.getService().getPort());
  }
}
