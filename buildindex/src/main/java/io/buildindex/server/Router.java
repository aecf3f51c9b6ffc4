package io.buildindex.server;

import io.buildindex.tagreplication.wire.NodeHeaders;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * The server's routes: matches each request to the first route of its method, in registration
 * order, whose {@link PathTemplate} takes the path, then checks the route's {@link Scope} and
 * attaches its metrics before the handler runs. A path no route takes is a 404, counted as
 * {@code unmatched}. A request that carries {@code X-Tag-Generation} also needs
 * {@link Scope#REPLICATE}: a caller that may choose generations can make a tag unwritable (a
 * generation far ahead supersedes every later write), so plain {@code write} tokens may not.
 *
 * <p>Design: Javalin sees one route per method, {@code *}, which its matcher takes without a regex
 * and which has no parameters for it to extract; the matching is done here (see
 * {@link PathTemplate} for what Javalin's own matching cost). The scope and the route's metric
 * objects are bound at registration rather than looked up per request. Everything else about a
 * request (exceptions, error bodies, the request logger) stays Javalin's.
 */
final class Router {
  private final Javalin app;
  private final Auth auth;
  private final RequestMetrics metrics;
  private final Map<HandlerType, Routes> byMethod = new EnumMap<>(HandlerType.class);

  Router(Javalin app, Auth auth, RequestMetrics metrics) {
    this.app = app;
    this.auth = auth;
    this.metrics = metrics;
  }

  /** A handler given the request's path parameters. */
  @FunctionalInterface
  interface PathHandler {
    void handle(Context ctx, PathTemplate.Params params) throws Exception;
  }

  /**
   * A GET route and its HEAD twin, with the same auth and handler (Jetty sends no body for HEAD).
   * Without the twin a HEAD would be a 404 here (Javalin's own routes answer it 200 by
   * themselves: no auth check, and 200 where GET would say 404 or 503).
   */
  void get(String path, Scope scope, PathHandler handler) {
    add(HandlerType.GET, path, scope, handler);
    add(HandlerType.HEAD, path, scope, handler);
  }

  void get(String path, Scope scope, Handler handler) {
    get(path, scope, ignoringParams(handler));
  }

  void put(String path, Scope scope, PathHandler handler) {
    add(HandlerType.PUT, path, scope, handler);
  }

  void post(String path, Scope scope, PathHandler handler) {
    add(HandlerType.POST, path, scope, handler);
  }

  void post(String path, Scope scope, Handler handler) {
    post(path, scope, ignoringParams(handler));
  }

  void delete(String path, Scope scope, PathHandler handler) {
    add(HandlerType.DELETE, path, scope, handler);
  }

  private static PathHandler ignoringParams(Handler handler) {
    return (ctx, params) -> handler.handle(ctx);
  }

  private void add(HandlerType method, String path, Scope scope, PathHandler handler) {
    Routes routes = byMethod.get(method);
    if (routes == null) {
      routes = new Routes();
      byMethod.put(method, routes);
      app.addHttpHandler(method, "*", routes::dispatch);
    }
    routes.add(new Route(PathTemplate.of(path), metrics.route(method + " " + path), scope, handler));
  }

  private record Route(PathTemplate path, RequestMetrics.Route metrics, Scope scope, PathHandler handler) {}

  /** One method's routes, in registration order. */
  private final class Routes {
    /** Replaced whole on registration, which happens before the server starts; read by every request. */
    private volatile Route[] routes = new Route[0];

    void add(Route route) {
      for (Route r : routes) {
        if (r.path().name().equals(route.path().name())) {
          throw new IllegalArgumentException("route " + route.metrics().name() + " registered twice");
        }
      }
      Route[] next = Arrays.copyOf(routes, routes.length + 1);
      next[routes.length] = route;
      routes = next;
    }

    /**
     * A malformed escape in a matched route's parameter fails here, before the auth check, as in
     * Javalin's own routes (a 400 either way: see {@link ErrorMapping}).
     */
    void dispatch(Context ctx) throws Exception {
      String path = ctx.path();
      for (Route route : routes) {
        PathTemplate.Params params = route.path().match(path);
        if (params != null) {
          admit(ctx, route);
          route.handler().handle(ctx, params);
          return;
        }
      }
      ctx.status(404); // ErrorMapping's 404 handler writes the body of a path no route has
    }
  }

  /** Attaches the route's metrics, then checks the caller's token (when auth is on). */
  private void admit(Context ctx, Route route) {
    route.metrics().attachTo(ctx);
    if (!auth.isOpen()) {
      auth.check(ctx, route.scope(), ctx.header(NodeHeaders.GENERATION) != null);
    }
  }
}
