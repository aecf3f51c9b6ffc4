package io.buildindex.hashring.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * A Consul agent on 127.0.0.1 that answers {@code GET /v1/health/service/<name>} the way Consul
 * documents it: a JSON array of {@code {Node, Service, Checks}}, {@code ?passing} keeping only
 * instances whose checks all pass, {@code ?tag=} filtering by tag, {@code X-Consul-Token} checked
 * when a token is required (403 "ACL not found" otherwise), and the {@code X-Consul-Index} headers.
 * {@link #stop()} and {@link #restart()} make it unreachable and back on the same port. Shared
 * with the buildindex module's cluster tests through this module's test jar. Thread-safe.
 */
public final class FakeConsul implements AutoCloseable {
  /** One registered service instance; an empty {@code address} means "use the node's". */
  public record Instance(String node, String nodeAddress, String id, String service, String address, int port,
      List<String> tags, boolean passing) {
    public static Instance of(String service, String ip, int port, String... tags) {
      return new Instance("node-" + ip, ip, service + "-" + ip + "-" + port, service, ip, port, List.of(tags), true);
    }

    public Instance failing() {
      return new Instance(node, nodeAddress, id, service, address, port, tags, false);
    }

    public Instance withoutServiceAddress() {
      return new Instance(node, nodeAddress, id, service, "", port, tags, passing);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String requiredToken;
  private final List<Instance> instances = new CopyOnWriteArrayList<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final AtomicLong index = new AtomicLong(1);
  private final int port;
  private final @Nullable SSLContext tls;
  private HttpServer server;
  private boolean stopped;

  /** Starts on an ephemeral port; {@code requiredToken} empty means no ACLs. */
  public FakeConsul(String requiredToken) {
    this(requiredToken, null);
  }

  /** As {@link #FakeConsul(String)}, serving HTTPS with {@code tls} when given. */
  public FakeConsul(String requiredToken, @Nullable SSLContext tls) {
    this.requiredToken = requiredToken;
    this.tls = tls;
    this.server = listen(0);
    this.port = server.getAddress().getPort();
  }

  /** {@code 127.0.0.1:port}, as written in {@code consul.address}. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  public void register(Instance instance) {
    instances.add(instance);
    index.incrementAndGet();
  }

  public void deregister(String id) {
    instances.removeIf(i -> i.id().equals(id));
    index.incrementAndGet();
  }

  /** Request lines received, e.g. {@code /v1/health/service/build-index?passing=true&tag=a}. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  /** Closes the port: calls are refused until {@link #restart()}. */
  public synchronized void stop() {
    if (!stopped) {
      server.stop(0);
      stopped = true;
    }
  }

  /** Listens again on the same port; nothing when it is listening. */
  public synchronized void restart() {
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
      InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort);
      HttpServer s;
      if (tls == null) {
        s = HttpServer.create(address, 0);
      } else {
        HttpsServer https = HttpsServer.create(address, 0);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        s = https;
      }
      s.createContext("/v1/health/service/", this::handle);
      s.start();
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      requests.add(exchange.getRequestURI().toString());
      if (!requiredToken.isEmpty() && !requiredToken.equals(exchange.getRequestHeaders().getFirst("X-Consul-Token"))) {
        respond(exchange, 403, "ACL not found".getBytes(StandardCharsets.UTF_8));
        return;
      }
      String service = exchange.getRequestURI().getPath().substring("/v1/health/service/".length());
      Map<String, List<String>> query = query(exchange.getRequestURI().getRawQuery());
      boolean passingOnly = query.containsKey("passing");
      List<String> tags = query.getOrDefault("tag", List.of());
      List<Map<String, Object>> body = instances.stream()
          .filter(i -> i.service().equals(service))
          .filter(i -> i.passing() || !passingOnly)
          .filter(i -> i.tags().containsAll(tags))
          .map(FakeConsul::entry)
          .toList();
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.getResponseHeaders().add("X-Consul-Index", Long.toString(index.get()));
      exchange.getResponseHeaders().add("X-Consul-Knownleader", "true");
      exchange.getResponseHeaders().add("X-Consul-Lastcontact", "0");
      respond(exchange, 200, JSON.writeValueAsBytes(body));
    }
  }

  private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** One element of Consul's documented response, with a node check and a service check. */
  private static Map<String, Object> entry(Instance i) {
    Map<String, Object> node = new LinkedHashMap<>();
    node.put("ID", "40e4a748-2192-161a-0510-9bf59fe950b5");
    node.put("Node", i.node());
    node.put("Address", i.nodeAddress());
    node.put("Datacenter", "dc1");
    node.put("TaggedAddresses", Map.of("lan", i.nodeAddress(), "wan", i.nodeAddress()));
    node.put("Meta", Map.of());
    Map<String, Object> service = new LinkedHashMap<>();
    service.put("ID", i.id());
    service.put("Service", i.service());
    service.put("Tags", i.tags());
    service.put("Address", i.address());
    service.put("Meta", Map.of());
    service.put("Port", i.port());
    service.put("Weights", Map.of("Passing", 10, "Warning", 1));
    service.put("EnableTagOverride", false);
    String status = i.passing() ? "passing" : "critical";
    List<Map<String, Object>> checks = new ArrayList<>();
    checks.add(check(i, "serfHealth", "Serf Health Status", "passing", "", ""));
    checks.add(check(i, "service:" + i.id(), "Service '" + i.service() + "' check", status, i.id(), i.service()));
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("Node", node);
    entry.put("Service", service);
    entry.put("Checks", checks);
    return entry;
  }

  private static Map<String, Object> check(Instance i, String id, String name, String status, String serviceId,
      String serviceName) {
    Map<String, Object> check = new LinkedHashMap<>();
    check.put("Node", i.node());
    check.put("CheckID", id);
    check.put("Name", name);
    check.put("Status", status);
    check.put("Notes", "");
    check.put("Output", "");
    check.put("ServiceID", serviceId);
    check.put("ServiceName", serviceName);
    check.put("ServiceTags", serviceId.isEmpty() ? List.of() : i.tags());
    return check;
  }

  private static Map<String, List<String>> query(String rawQuery) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    if (rawQuery == null) {
      return params;
    }
    Arrays.stream(rawQuery.split("&")).filter(p -> !p.isEmpty()).forEach(pair -> {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      params.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    });
    return params;
  }
}
