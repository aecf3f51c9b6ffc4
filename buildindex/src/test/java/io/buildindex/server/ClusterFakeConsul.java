package io.buildindex.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Consul agent on 127.0.0.1 answering what build-index asks it, as Consul documents it:
 * {@code GET /v1/health/service/<name>?passing} is a JSON array of {@code {Node, Service, Checks}}
 * for the registered instances of that service, with the {@code X-Consul-Index} headers.
 * (Every instance here passes its checks.) {@link #stop()} and {@link #restartIfStopped()} make it
 * unreachable and back on the same port. Thread-safe.
 */
final class ClusterFakeConsul implements AutoCloseable {
  private final List<Integer> instances = new CopyOnWriteArrayList<>();
  private final AtomicLong index = new AtomicLong(1);
  private final String service;
  private final int port;
  private HttpServer server;
  private boolean stopped;

  /** Starts on a free port, serving the instances of {@code service}. */
  ClusterFakeConsul(String service) {
    this.service = service;
    this.server = listen(0);
    this.port = server.getAddress().getPort();
  }

  /** {@code http://127.0.0.1:port}, as written in {@code cluster.hosts.consul.address}. */
  String address() {
    return "http://127.0.0.1:" + port;
  }

  /** Registers an instance of the service at {@code 127.0.0.1:instancePort}. */
  void register(int instancePort) {
    if (!instances.contains(instancePort)) {
      instances.add(instancePort);
    }
    index.incrementAndGet();
  }

  void deregister(int instancePort) {
    instances.remove(Integer.valueOf(instancePort));
    index.incrementAndGet();
  }

  /** Closes the port: calls are refused until {@link #restartIfStopped()}. */
  synchronized void stop() {
    if (!stopped) {
      server.stop(0);
      stopped = true;
    }
  }

  /** Listens again on the same port, when stopped. */
  synchronized void restartIfStopped() {
    if (stopped) {
      server = listen(port);
      stopped = false;
    }
  }

  @Override
  public void close() {
    stop();
  }

  private HttpServer listen(int onPort) {
    try {
      HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 0);
      s.createContext("/v1/health/service/", this::handle);
      s.start();
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String name = exchange.getRequestURI().getPath().substring("/v1/health/service/".length());
      List<Map<String, Object>> body = new ArrayList<>();
      if (name.equals(service)) {
        instances.forEach(p -> body.add(entry(p)));
      }
      byte[] json = TestServer.JSON.writeValueAsBytes(body);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.getResponseHeaders().add("X-Consul-Index", Long.toString(index.get()));
      exchange.getResponseHeaders().add("X-Consul-Knownleader", "true");
      exchange.getResponseHeaders().add("X-Consul-Lastcontact", "0");
      exchange.sendResponseHeaders(200, json.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(json);
      }
    }
  }

  /** One element of Consul's documented answer, with a passing node check and service check. */
  private Map<String, Object> entry(int instancePort) {
    String id = service + "-" + instancePort;
    Map<String, Object> node = new LinkedHashMap<>();
    node.put("ID", "40e4a748-2192-161a-0510-9bf59fe950b5");
    node.put("Node", "n-" + instancePort);
    node.put("Address", "127.0.0.1");
    node.put("Datacenter", "dc1");
    node.put("TaggedAddresses", Map.of("lan", "127.0.0.1", "wan", "127.0.0.1"));
    node.put("Meta", Map.of());
    Map<String, Object> svc = new LinkedHashMap<>();
    svc.put("ID", id);
    svc.put("Service", service);
    svc.put("Tags", List.of());
    svc.put("Address", "127.0.0.1");
    svc.put("Meta", Map.of());
    svc.put("Port", instancePort);
    svc.put("Weights", Map.of("Passing", 10, "Warning", 1));
    svc.put("EnableTagOverride", false);
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("Node", node);
    entry.put("Service", svc);
    entry.put("Checks", List.of(
        check(instancePort, "serfHealth", "Serf Health Status", "", ""),
        check(instancePort, "service:" + id, "Service '" + service + "' check", id, service)));
    return entry;
  }

  private static Map<String, Object> check(int instancePort, String id, String name, String serviceId, String serviceName) {
    Map<String, Object> check = new LinkedHashMap<>();
    check.put("Node", "n-" + instancePort);
    check.put("CheckID", id);
    check.put("Name", name);
    check.put("Status", "passing");
    check.put("Notes", "");
    check.put("Output", "");
    check.put("ServiceID", serviceId);
    check.put("ServiceName", serviceName);
    check.put("ServiceTags", List.of());
    return check;
  }
}
