package io.buildindex.docker;

import io.buildindex.config.HostPort;
import io.buildindex.tagstore.Digest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;

/**
 * A Kraken origin cluster: finds the origins that own a digest by asking up to three members
 * for its locations, as Kraken's {@code blobclient.ClientResolver} does (Kraken samples members
 * at random; here the digest picks the first, so a digest's lookups are reproducible).
 * Thread-safe.
 */
final class KrakenCluster {
  /** Kraken asks up to three members for locations before giving up. */
  static final int LOCATION_TRIES = 3;

  private final Supplier<List<HostPort>> hosts;
  private final OkHttpClient http;

  /** {@code hosts} is asked on every call, so a DNS or Consul host list can change underneath. */
  KrakenCluster(Supplier<List<HostPort>> hosts, OkHttpClient http) {
    this.hosts = hosts;
    this.http = http;
  }

  /**
   * Clients for the origins owning {@code digest}, in the ring's (stable) order.
   *
   * @throws OriginException when no member could answer
   */
  List<KrakenClient> owners(Digest digest) {
    List<HostPort> members = hosts.get();
    if (members.isEmpty()) {
      throw new OriginException("kraken", OriginException.NO_STATUS, "origin cluster has no hosts");
    }
    // Start at a member chosen by the digest: spreads the lookups, yet is stable per digest.
    int start = Math.floorMod(digest.hashCode(), members.size());
    OriginException last = null;
    for (int i = 0; i < Math.min(LOCATION_TRIES, members.size()); i++) {
      try {
        return clients(new KrakenClient(members.get((start + i) % members.size()), http).locations(digest));
      } catch (OriginException e) {
        last = e;
      }
    }
    throw last;
  }

  private List<KrakenClient> clients(List<String> locations) {
    if (locations.isEmpty()) {
      throw new OriginException("kraken", OriginException.NO_STATUS, "origin answered no locations");
    }
    List<KrakenClient> owners = new ArrayList<>(locations.size());
    for (String location : locations) {
      owners.add(new KrakenClient(HostPort.parse(location), http));
    }
    return owners;
  }
}
