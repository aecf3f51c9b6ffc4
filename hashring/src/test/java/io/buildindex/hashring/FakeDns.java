package io.buildindex.hashring;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.Dns;

/** A {@link Dns} answering from a table the test edits; unknown names fail. Thread-safe. */
final class FakeDns implements Dns {
  private final Map<String, List<InetAddress>> answers = new ConcurrentHashMap<>();

  /** Answers {@code host} with the IP literals {@code ips} (parsed locally, never looked up). */
  FakeDns answer(String host, String... ips) {
    List<InetAddress> addresses = new ArrayList<>();
    for (String ip : ips) {
      try {
        addresses.add(InetAddress.getByName(ip));
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("not an IP literal: " + ip, e);
      }
    }
    answers.put(host, List.copyOf(addresses));
    return this;
  }

  /** Makes lookups of {@code host} fail from now on. */
  void forget(String host) {
    answers.remove(host);
  }

  @Override
  public List<InetAddress> lookup(String host) throws UnknownHostException {
    List<InetAddress> addresses = answers.get(host);
    if (addresses == null) {
      throw new UnknownHostException("fake dns: no answer for " + host);
    }
    return addresses;
  }
}
