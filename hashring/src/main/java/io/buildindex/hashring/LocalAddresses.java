package io.buildindex.hashring;

import io.buildindex.config.HostPort;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import okhttp3.Dns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells whether a member entry names this node: its port is this node's listen port and its host
 * is one of this machine's names or addresses. Thread-safe. Each call reads the network interfaces
 * and may resolve the entry's host, so call it when membership changes, not per request.
 */
final class LocalAddresses {
  /*
   * Design: Kraken compares an entry's host with os.Hostname() and the first address that name
   * resolves to, so an entry that names this machine by a second interface (or by an address that
   * is not the hostname's first) is taken for a peer, and the node replicates to itself. Here every
   * address the entry resolves to is compared with every address of every network interface, up or
   * down, loopback included; "localhost" and this machine's host name match by name, and any
   * 127.0.0.0/8 or ::1 address is local. Addresses compare by their raw bytes, which ignores IPv6
   * scope ids and how the literal was spelled.
   */

  private static final Logger log = LoggerFactory.getLogger(LocalAddresses.class);

  /** Hosts that mean "every interface": a listen address, never an address to reach a peer at. */
  private static final Set<String> WILDCARDS = Set.of("", "0.0.0.0", "::", "0:0:0:0:0:0:0:0");

  private final HostPort listen;
  private final Dns dns;

  LocalAddresses(HostPort listen, Dns dns) {
    this.listen = listen;
    this.dns = dns;
  }

  /** This node's listen address, as configured. */
  HostPort listen() {
    return listen;
  }

  /** Whether {@code host} means every interface ({@code ""}, {@code 0.0.0.0}, {@code ::}). */
  static boolean isWildcard(String host) {
    return WILDCARDS.contains(host.strip());
  }

  /** Whether {@code entry} is this node. A wildcard or unresolvable host never is. */
  boolean isSelf(HostPort entry) {
    if (entry.port() != listen.port() || isWildcard(entry.host())) {
      return false;
    }
    if (localNames().contains(entry.host().toLowerCase(Locale.ROOT))) {
      return true;
    }
    Set<String> local = interfaceAddresses();
    return resolve(entry.host()).stream().anyMatch(a -> a.isLoopbackAddress() || local.contains(key(a)));
  }

  /** The first of {@code members} that is this node, or the listen address when none is. */
  HostPort selfAmong(List<HostPort> members) {
    List<HostPort> selves = members.stream().filter(this::isSelf).toList();
    if (selves.size() > 1) {
      log.warn("several member entries are this node, using the first: {}", selves);
    }
    return selves.isEmpty() ? listen : selves.get(0);
  }

  private List<InetAddress> resolve(String host) {
    try {
      return dns.lookup(host);
    } catch (UnknownHostException e) {
      log.debug("cannot resolve member host {}, so it is not this node: {}", host, e.getMessage());
      return List.of();
    }
  }

  private static Set<String> localNames() {
    try {
      // A fully qualified name of this machine matches too, by the addresses it resolves to.
      String hostName = InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
      return Set.copyOf(List.of("localhost", hostName));
    } catch (UnknownHostException e) {
      return Set.of("localhost"); // this machine's name does not resolve: only addresses can match
    }
  }

  private static Set<String> interfaceAddresses() {
    try {
      return NetworkInterface.networkInterfaces()
          .flatMap(NetworkInterface::inetAddresses)
          .map(LocalAddresses::key)
          .collect(Collectors.toUnmodifiableSet());
    } catch (IOException e) {
      log.warn("cannot list network interfaces, only names and loopback will match this node", e);
      return Set.of();
    }
  }

  private static String key(InetAddress address) {
    return HexFormat.of().formatHex(address.getAddress());
  }
}
