package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.testing.Poll;
import io.javalin.Javalin;
import java.util.Map;
import org.eclipse.jetty.http.UriCompliance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The router over real HTTP: the first route of the request's method that takes the path answers,
 * in registration order as with Javalin's own routes; a GET route answers HEAD too; a path no
 * route takes is a JSON 404 counted as {@code unmatched}; a route cannot be registered twice.
 */
class RouterTest {
  private final MetricRegistry registry = new MetricRegistry();
  private final RequestMetrics metrics = new RequestMetrics(registry);
  private final Javalin app = Javalin.create(c -> {
    c.showJavalinBanner = false;
    c.requestLogger.http(metrics::record);
    c.jetty.modifyHttpConfiguration(h -> h.setUriCompliance(UriCompliance.LEGACY)); // as the server: lets a%:1 through
  });
  private final Router router = new Router(app, Auth.of(null), metrics);

  @BeforeEach
  void setUp() {
    ErrorMapping.register(app);
    router.get("/tags/{tag}", Scope.READ, (ctx, p) -> ctx.result("tag " + p.get("tag")));
    router.get("/tags/{tag}/history", Scope.READ, (ctx, p) -> ctx.result("history " + p.get("tag")));
    router.get("/tags/special", Scope.READ, ctx -> ctx.result("never: /tags/{tag} takes it first"));
    router.get("/list/<prefix>", Scope.READ, (ctx, p) -> ctx.result("list " + p.get("prefix")));
    router.put("/tags/{tag}/digest/{digest}", Scope.WRITE, (ctx, p) -> ctx.result("put " + p.get("tag") + " " + p.get("digest")));
    router.delete("/tags/{tag}", Scope.WRITE, (ctx, p) -> ctx.status(204));
  }

  @AfterEach
  void tearDown() {
    app.stop();
  }

  private RawHttp start() {
    app.start("127.0.0.1", 0);
    return new RawHttp(app.port());
  }

  @Test
  void requests_reachTheirMethodsFirstMatchingRoute_withDecodedParams() {
    RawHttp http = start();

    assertThat(http.send("GET", "/tags/team%2Fapp:v1", Map.of(), new byte[0]).text()).isEqualTo("tag team/app:v1");
    assertThat(http.send("GET", "/tags/a:1/history/", Map.of(), new byte[0]).text()).isEqualTo("history a:1");
    assertThat(http.send("GET", "/tags/special", Map.of(), new byte[0]).text()).isEqualTo("tag special");
    assertThat(http.send("GET", "/list/team/app/", Map.of(), new byte[0]).text()).isEqualTo("list team/app");
    assertThat(http.send("PUT", "/tags/a:1/digest/sha256:ab", Map.of(), new byte[0]).text()).isEqualTo("put a:1 sha256:ab");
    assertThat(http.send("DELETE", "/tags/a:1", Map.of(), new byte[0]).status()).isEqualTo(204);
  }

  @Test
  void head_ofAGetRoute_takesItsRoute() {
    RawHttp http = start();

    RawHttp.Response head = http.send("HEAD", "/tags/a:1", Map.of(), new byte[0]);

    assertThat(head.status()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    Poll.until(Poll.DEADLINE, "the HEAD counted under its own route",
        () -> registry.timer(LabeledMetrics.name(RequestMetrics.REQUESTS, "route", "HEAD /tags/{tag}")).getCount() == 1);
    assertThat(registry.timer(LabeledMetrics.name(RequestMetrics.REQUESTS, "route", "GET /tags/{tag}")).getCount()).isZero();
  }

  @Test
  void pathsNoRouteTakes_areJson404s_countedAsUnmatched() {
    RawHttp http = start();

    for (var request : Map.of("/tags/a:1/digest/x", "GET", "/tags/a:1", "PUT", "/tags//history", "GET", "/nothing", "DELETE",
        "/list/", "GET").entrySet()) {
      RawHttp.Response r = http.send(request.getValue(), request.getKey(), Map.of(), new byte[0]);
      assertThat(r.status()).as(request.toString()).isEqualTo(404);
      assertThat(r.text()).as(request.toString()).contains("no route for " + request.getValue() + " " + request.getKey());
    }
    Poll.until(Poll.DEADLINE, "five unmatched 4xx responses",
        () -> registry.counter(LabeledMetrics.name(RequestMetrics.RESPONSES, "route", "unmatched", "status", "4xx")).getCount() == 5);
  }

  @Test
  void malformedEscapeInAParameter_is400() {
    RawHttp http = start();

    RawHttp.Response r = http.send("GET", "/tags/a%:1", Map.of(), new byte[0]);

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.text()).contains("bad %-escape");
  }

  @Test
  void sameRouteTwice_refused() {
    assertThatThrownBy(() -> router.get("/tags/{tag}", Scope.READ, ctx -> {}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("GET /tags/{tag}");
  }
}
