package io.buildindex.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where a set of peers comes from: a static list, DNS A records, or Consul's healthy instances
 * (exactly one of them), refreshed every {@code ttl}.
 */
public record HostsConfig(@JsonProperty("static") List<HostPort> staticHosts, @Nullable String dns, @Nullable ConsulConfig consul, Duration ttl) {
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(5);

  public HostsConfig {
    staticHosts = List.copyOf(Validate.orDefault(staticHosts, List.of()));
    ttl = Validate.positive("ttl", Validate.orDefault(ttl, DEFAULT_TTL));
    int sources = (staticHosts.isEmpty() ? 0 : 1) + (dns == null ? 0 : 1) + (consul == null ? 0 : 1);
    if (sources != 1) {
      throw new ConfigException("", "set exactly one of static, dns, consul (got " + sources + ")");
    }
    if (dns != null) {
      HostPort.parse(dns); // fails here, at start-up, on a missing port
    }
  }

  public static HostsConfig ofStatic(List<HostPort> hosts) {
    return new HostsConfig(hosts, null, null, null);
  }

  /** {@code consul: {address, service, tag, token}}. */
  public record ConsulConfig(String address, String service, String tag, String token) {
    public ConsulConfig {
      Validate.required("address", address);
      Validate.required("service", service);
      tag = Validate.orDefault(tag, "");
      token = Validate.orDefault(token, "");
    }

    @Override
    public String toString() {
      return "ConsulConfig[address=" + address + ", service=" + service + ", tag=" + tag + ", token=***]";
    }
  }
}
