package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import io.javalin.Javalin;
import org.junit.jupiter.api.Test;

/** Routes that a template route's wildcard would take are refused at registration, in either order. */
class RouterTest {
  private static final PathTemplate PUT_TAG = PathTemplate.of("/tags/{tag}/digest/{digest}");

  private final Router router = new Router(Javalin.create(), Auth.of(null), new RequestMetrics(new MetricRegistry()));

  @Test
  void routeUnderATemplatesPrefix_sameMethod_refused() {
    router.put(PUT_TAG, Scope.WRITE, (ctx, params) -> {});

    assertThatThrownBy(() -> router.put("/tags/{tag}", Scope.WRITE, ctx -> {}))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("PUT /tags/{tag}").hasMessageContaining("/tags/*");
  }

  @Test
  void templateOverAnExistingRoute_refused() {
    router.put("/tags/{tag}/other", Scope.WRITE, ctx -> {});

    assertThatThrownBy(() -> router.put(PUT_TAG, Scope.WRITE, (ctx, params) -> {})).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void templatesWithNestedPrefixes_refused() {
    router.post(PathTemplate.of("/internal/duplicate/{tag}"), Scope.CLUSTER, (ctx, params) -> {});

    assertThatThrownBy(() -> router.post(PathTemplate.of("/internal/duplicate/remotes/tags/{tag}"), Scope.CLUSTER, (ctx, params) -> {}))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void otherMethodsAndPrefixes_allowed() {
    router.put(PUT_TAG, Scope.WRITE, (ctx, params) -> {});

    assertThatCode(() -> {
      router.get("/tags/{tag}", Scope.READ, ctx -> {});
      router.delete("/tags/{tag}", Scope.WRITE, ctx -> {});
      router.put("/tagsets/{name}", Scope.WRITE, ctx -> {});
      router.put(PathTemplate.of("/internal/duplicate/tags/{tag}/digest/{digest}"), Scope.CLUSTER, (ctx, params) -> {});
    }).doesNotThrowAnyException();
  }
}
