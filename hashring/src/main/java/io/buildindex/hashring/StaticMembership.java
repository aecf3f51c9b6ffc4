package io.buildindex.hashring;

import io.buildindex.config.HostPort;
import java.util.List;

/** A fixed member list, {@code hosts: {static: [...]}}. Immutable. */
record StaticMembership(List<HostPort> hosts) implements MembershipSource {
  StaticMembership {
    hosts = List.copyOf(hosts);
  }

  @Override
  public String kind() {
    return "static";
  }

  @Override
  public List<HostPort> fetch() {
    return hosts;
  }
}
