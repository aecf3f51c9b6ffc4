package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.buildindex.cluster.ListingIncompleteException;
import io.buildindex.database.StoreUnavailableException;
import io.buildindex.tagstore.InvalidInputException;
import io.javalin.Javalin;
import io.javalin.testtools.JavalinTest;
import java.io.IOException;
import java.util.UUID;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * The one exception-to-status mapping, on a bare Javalin app whose routes throw: faults the
 * public API cannot provoke on demand (a failing store, a bug) still answer JSON with an id.
 */
final class ErrorMappingTest {
  private static Javalin app() {
    Javalin app = Javalin.create(c -> c.showJavalinBanner = false);
    ErrorMapping.register(app);
    app.get("/bug", ctx -> {
      throw new IllegalStateException("connection string with password=hunter2");
    });
    app.get("/store-down", ctx -> {
      throw new StoreUnavailableException("database /data/index.db is closed");
    });
    app.get("/bad", ctx -> {
      throw new InvalidInputException("tag", "bad tag name \"x y\"");
    });
    app.get("/problem", ctx -> {
      throw new HttpProblem(409, "conflict on team/app:v1");
    });
    app.get("/list-incomplete", ctx -> {
      throw new ListingIncompleteException(java.util.List.of("10.0.0.1:15004", "10.0.0.2:15004"), 1);
    });
    app.get("/missing", ctx -> {
      throw HttpProblem.notFound("");
    });
    return app;
  }

  @Test
  void unexpectedException_500WithIdAndNoDetails() {
    JavalinTest.test(app(), (server, client) -> {
      Response r = client.get("/bug");
      JsonNode body = json(r);

      assertThat(r.code()).isEqualTo(500);
      assertThat(body.get("status").asInt()).isEqualTo(500);
      assertThat(body.get("message").asText()).isEqualTo("internal error");
      assertThat(UUID.fromString(body.get("id").asText())).isNotNull();
      assertThat(body.toString()).doesNotContain("hunter2");
    });
  }

  @Test
  void eachFault_ownId() {
    JavalinTest.test(app(), (server, client) -> {
      String first = json(client.get("/bug")).get("id").asText();
      String second = json(client.get("/bug")).get("id").asText();

      assertThat(first).isNotEqualTo(second);
    });
  }

  @Test
  void storeUnavailable_503WithId() {
    JavalinTest.test(app(), (server, client) -> {
      Response r = client.get("/store-down");
      JsonNode body = json(r);

      assertThat(r.code()).isEqualTo(503);
      assertThat(body.get("status").asInt()).isEqualTo(503);
      assertThat(body.get("message").asText()).contains("store unavailable");
      assertThat(UUID.fromString(body.get("id").asText())).isNotNull();
    });
  }

  @Test
  void listingIncomplete_503NamingTheUnreachableMembers() {
    JavalinTest.test(app(), (server, client) -> {
      Response r = client.get("/list-incomplete");
      JsonNode body = json(r);

      assertThat(r.code()).isEqualTo(503);
      assertThat(body.get("message").asText()).contains("10.0.0.1:15004, 10.0.0.2:15004");
    });
  }

  @Test
  void invalidInput_400NamingFieldWithoutId() {
    JavalinTest.test(app(), (server, client) -> {
      Response r = client.get("/bad");
      JsonNode body = json(r);

      assertThat(r.code()).isEqualTo(400);
      assertThat(body.get("message").asText()).isEqualTo("tag: bad tag name \"x y\"");
      assertThat(body.has("id")).isFalse();
    });
  }

  @Test
  void httpProblem_itsStatusAndMessage() {
    JavalinTest.test(app(), (server, client) -> {
      Response r = client.get("/problem");

      assertThat(r.code()).isEqualTo(409);
      assertThat(json(r).get("message").asText()).isEqualTo("conflict on team/app:v1");
    });
  }

  @Test
  void notFoundWithoutMessage_emptyBody() {
    JavalinTest.test(app(), (server, client) -> {
      Response r = client.get("/missing");

      assertThat(r.code()).isEqualTo(404);
      assertThat(r.body().string()).isEmpty();
    });
  }

  @Test
  void unknownRoute_404Json() {
    JavalinTest.test(app(), (server, client) -> {
      Response r = client.get("/nothing-here");

      assertThat(r.code()).isEqualTo(404);
      assertThat(json(r).get("status").asInt()).isEqualTo(404);
    });
  }

  private static JsonNode json(Response r) throws IOException {
    return TestServer.JSON.readTree(r.body().string());
  }
}
