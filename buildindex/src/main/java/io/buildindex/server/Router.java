package io.buildindex.server;

import io.buildindex.tagreplication.wire.NodeHeaders;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Registers routes with their required {@link Scope}, wrapping each handler with the auth check
 * and the route's metrics. A request that carries {@code X-Tag-Generation} also needs
 * {@link Scope#REPLICATE}: a caller that may choose generations can make a tag unwritable (a
 * generation far ahead supersedes every later write), so plain {@code write} tokens may not.
 *
 * <p>Design: doing this per route, with the scope and the route's metric objects bound at
 * registration, rather than in global before/after handlers, spares every request extra route
 * matching and per-request metric-name lookups, which profiles showed as a fifth of a PUT's CPU.
 * The write routes come as {@link PathTemplate}s: Javalin matches their prefix, and the template
 * splits the parameters, cheaper than Javalin's regexes on their long paths.
 */
final class Router {
  private final Javalin app;
  private final Auth auth;
  private final RequestMetrics metrics;
  /** Per method: the literal prefixes of its {@link PathTemplate} routes, and its other routes' paths. */
  private final Map<String, List<String>> templatePrefixes = new HashMap<>();
  private final Map<String, List<String>> paths = new HashMap<>();

  Router(Javalin app, Auth auth, RequestMetrics metrics) {
    this.app = app;
    this.auth = auth;
    this.metrics = metrics;
  }

  /**
   * A GET route and its HEAD twin, with the same auth and handler (Jetty sends no body for HEAD).
   * Without the twin Javalin answers HEAD of a GET route 200 by itself: no auth check, and 200
   * where GET would say 404 or 503.
   */
  void get(String path, Scope scope, Handler handler) {
    claim("GET", path);
    claim("HEAD", path);
    app.get(path, wrap("GET", path, scope, handler));
    app.head(path, wrap("HEAD", path, scope, handler));
  }

  void put(String path, Scope scope, Handler handler) {
    claim("PUT", path);
    app.put(path, wrap("PUT", path, scope, handler));
  }

  /** A PUT route whose parameters the server splits itself (see {@link PathTemplate}). */
  void put(PathTemplate path, Scope scope, PathHandler handler) {
    claim("PUT", path);
    app.put(path.javalinPath(), wrap("PUT", path, scope, handler));
  }

  /** A POST route whose parameters the server splits itself (see {@link PathTemplate}). */
  void post(PathTemplate path, Scope scope, PathHandler handler) {
    claim("POST", path);
    app.post(path.javalinPath(), wrap("POST", path, scope, handler));
  }

  void post(String path, Scope scope, Handler handler) {
    claim("POST", path);
    app.post(path, wrap("POST", path, scope, handler));
  }

  void delete(String path, Scope scope, Handler handler) {
    claim("DELETE", path);
    app.delete(path, wrap("DELETE", path, scope, handler));
  }

  /**
   * Refuses a route under the prefix of a {@link PathTemplate} route of the same method: Javalin
   * would hand its requests to the template's wildcard, which answers 404 to every other shape.
   * Compares literal prefixes; a route that starts with a parameter is not checked.
   */
  private void claim(String method, String path) {
    for (String prefix : templatePrefixes.getOrDefault(method, List.of())) {
      if (path.startsWith(prefix)) {
        throw new IllegalStateException(method + " " + path + " is under " + prefix + "*, a template route's");
      }
    }
    paths.computeIfAbsent(method, m -> new ArrayList<>()).add(path);
  }

  private void claim(String method, PathTemplate template) {
    String prefix = template.prefix();
    for (String path : paths.getOrDefault(method, List.of())) {
      if (path.startsWith(prefix)) {
        throw new IllegalStateException(method + " " + path + " is under " + prefix + "*, a template route's");
      }
    }
    for (String other : templatePrefixes.getOrDefault(method, List.of())) {
      if (other.startsWith(prefix) || prefix.startsWith(other)) {
        throw new IllegalStateException(method + " " + template.name() + " and another template route share " + other + "*");
      }
    }
    templatePrefixes.computeIfAbsent(method, m -> new ArrayList<>()).add(prefix);
  }

  /** A handler of a {@link PathTemplate} route, given the request's parameters. */
  @FunctionalInterface
  interface PathHandler {
    void handle(Context ctx, PathTemplate.Params params) throws Exception;
  }

  /**
   * As {@link #wrap(String, String, Scope, Handler)}, after the template's match: a path without the
   * template's shape is answered as a path no route has (404, counted as {@code unmatched}); a
   * malformed escape fails before the auth check, as in Javalin's own parameters (400 either way).
   */
  private Handler wrap(String method, PathTemplate path, Scope scope, PathHandler handler) {
    RequestMetrics.Route route = metrics.route(method + " " + path.name());
    return ctx -> {
      PathTemplate.Params params = path.match(ctx.path());
      if (params == null) {
        ctx.status(404); // ErrorMapping's 404 handler writes the body of a path no route has
        return;
      }
      admit(ctx, route, scope);
      handler.handle(ctx, params);
    };
  }

  private Handler wrap(String method, String path, Scope scope, Handler handler) {
    RequestMetrics.Route route = metrics.route(method + " " + path);
    return ctx -> {
      admit(ctx, route, scope);
      handler.handle(ctx);
    };
  }

  /** Attaches the route's metrics, then checks the caller's token (when auth is on). */
  private void admit(Context ctx, RequestMetrics.Route route, Scope scope) {
    route.attachTo(ctx);
    if (!auth.isOpen()) {
      auth.check(ctx, scope, ctx.header(NodeHeaders.GENERATION) != null);
    }
  }
}
