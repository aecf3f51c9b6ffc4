package io.buildindex.hashring;

import io.buildindex.config.HostPort;
import java.util.List;

/** The ring of a node without a cluster: it owns every key. Immutable. */
record SingleNodeRing(HostPort self) implements HashRing {
  @Override
  public List<HostPort> ownersIgnoringHealth(String key) {
    return List.of(self);
  }

  @Override
  public List<HostPort> owners(String key) {
    return List.of(self);
  }

  @Override
  public boolean isOwner(String key) {
    return true;
  }

  @Override
  public List<HostPort> members() {
    return List.of(self);
  }

  @Override
  public List<HostPort> healthyMembers() {
    return List.of(self);
  }

  @Override
  public void recordFailure(HostPort member) {}

  @Override
  public void recordSuccess(HostPort member) {}

  @Override
  public RingStatus status() {
    return new RingStatus("single", 1, 1, null, null);
  }

  @Override
  public void start() {}

  @Override
  public void close() {}
}
