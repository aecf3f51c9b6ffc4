package io.buildindex.hashring;

import io.buildindex.config.HostPort;
import java.io.IOException;
import java.util.List;
import okhttp3.Dns;

/**
 * Members are the addresses {@code name} resolves to, each at {@code port}: {@code hosts: {dns:
 * "build-index.dc1:15004"}}. Thread-safe when {@code dns} is.
 *
 * <p>With {@link Dns#SYSTEM} answers come through the JVM's address cache, which keeps a positive
 * answer for 30 seconds unless the security property {@code networkaddress.cache.ttl} says
 * otherwise, so a {@code ttl} shorter than that sees changes only as often as the cache expires.
 */
final class DnsMembership implements MembershipSource {
  private final HostPort name;
  private final Dns dns;

  DnsMembership(HostPort name, Dns dns) {
    this.name = name;
    this.dns = dns;
  }

  @Override
  public String kind() {
    return "dns";
  }

  @Override
  public List<HostPort> fetch() throws IOException {
    return dns.lookup(name.host()).stream()
        .map(address -> new HostPort(address.getHostAddress(), name.port()))
        .toList();
  }
}
