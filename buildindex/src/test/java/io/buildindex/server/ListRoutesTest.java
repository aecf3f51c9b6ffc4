package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.buildindex.server.RawHttp.Response;
import io.buildindex.testing.RunningServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class ListRoutesTest {
  @RegisterExtension
  static final RunningServer<TestServer> server = RunningServer.perTest(TestServer::start);

  @Test
  void list_prefixWithSlash_matchingTagsInOrder() {
    put("team/app:v2", "team/app:v1", "team/app/sub:v1", "team/other:v1", "teams:v1", "zoo:v1");

    JsonNode body = ok(server.get().get("/list/team/app"));

    assertThat(strings(body.get("result"))).containsExactly("team/app/sub:v1", "team/app:v1", "team/app:v2");
    assertThat(body.get("size").asInt()).isEqualTo(3);
    assertThat(body.get("Links").get("next").asText()).isEmpty();
    assertThat(body.get("Links").get("self").asText()).isEqualTo("/list/team/app");
  }

  /** Javalin copies a body through {@link BuildIndexApp#RESPONSE_COPY_BUFFER_BYTES}: many rounds, one body. */
  @Test
  void list_pageManyTimesTheResponseCopyBuffer_arrivesWhole() {
    List<String> tags = IntStream.range(0, 400)
        .mapToObj(i -> String.format("team/app:release-%04d-with-a-long-build-label", i)).toList();
    put(tags.toArray(String[]::new));

    Response r = server.get().get("/list/team/app?limit=1000");

    assertThat(r.body().length).isGreaterThan(3 * BuildIndexApp.RESPONSE_COPY_BUFFER_BYTES);
    assertThat(strings(ok(r).get("result"))).containsExactlyElementsOf(tags);
  }

  @Test
  void list_isAStringPrefix() {
    put("team/app:v1", "team/apple:v1", "team/b:v1");

    assertThat(strings(ok(server.get().get("/list/team/ap")).get("result"))).containsExactly("team/app:v1", "team/apple:v1");
  }

  @Test
  void list_withoutPrefix_everything() {
    put("b:v1", "a/x:v1", "c:v1");

    assertThat(strings(ok(server.get().get("/list")).get("result"))).containsExactly("a/x:v1", "b:v1", "c:v1");
  }

  @Test
  void list_noMatch_emptyPage() {
    put("team/app:v1");

    JsonNode body = ok(server.get().get("/list/nothing"));

    assertThat(body.get("size").asInt()).isZero();
    assertThat(body.get("result").isArray()).isTrue();
    assertThat(body.get("result")).isEmpty();
    assertThat(body.get("Links").get("next").asText()).isEmpty();
  }

  @Test
  void list_excludesDeletedTags() {
    put("team/app:v1", "team/app:v2");
    server.get().delete("/tags/team%2Fapp:v1");

    assertThat(strings(ok(server.get().get("/list/team/app")).get("result"))).containsExactly("team/app:v2");
  }

  @Test
  void list_pagesFollowNextLinks() {
    List<String> tags = IntStream.range(0, 11).mapToObj(i -> String.format("team/app:v%02d", i)).toList();
    put(tags.toArray(String[]::new));
    put("other:v1");

    List<JsonNode> pages = pages("/list/team/app?limit=4");

    assertThat(pages).hasSize(3);
    assertThat(pages.get(0).get("size").asInt()).isEqualTo(4);
    assertThat(pages.get(0).get("Links").get("self").asText()).isEqualTo("/list/team/app?limit=4");
    assertThat(pages.get(0).get("Links").get("next").asText()).startsWith("/list/team/app?limit=4&offset=");
    assertThat(pages.get(2).get("size").asInt()).isEqualTo(3);
    assertThat(pages.get(2).get("Links").get("next").asText()).isEmpty();
    assertThat(pages.stream().flatMap(p -> strings(p.get("result")).stream())).containsExactlyElementsOf(tags);
  }

  @Test
  void list_exactlyFullLastPage_endsWithEmptyNextOrEmptyPage() {
    put("a:1", "a:2", "a:3", "a:4");

    List<JsonNode> pages = pages("/list/a?limit=2");

    assertThat(pages.stream().flatMap(p -> strings(p.get("result")).stream())).containsExactly("a:1", "a:2", "a:3", "a:4");
    assertThat(pages.get(pages.size() - 1).get("Links").get("next").asText()).isEmpty();
  }

  @Test
  void repositories_tagNamesWithoutRepo() {
    put("team/app:v2", "team/app:v1", "team/app/sub:x", "team/app2:y", "team/ap:z");

    JsonNode body = ok(server.get().get("/repositories/team%2Fapp/tags"));

    assertThat(strings(body.get("result"))).containsExactly("v1", "v2");
    assertThat(body.get("size").asInt()).isEqualTo(2);
    assertThat(body.get("Links").get("next").asText()).isEmpty();
    assertThat(body.get("Links").get("self").asText()).isEqualTo("/repositories/team%2Fapp/tags");
  }

  @Test
  void repositories_unknownRepo_emptyPage() {
    JsonNode body = ok(server.get().get("/repositories/nothing/tags"));

    assertThat(body.get("size").asInt()).isZero();
    assertThat(body.get("result")).isEmpty();
  }

  @Test
  void repositories_pagesFollowNextLinks() {
    List<String> names = IntStream.range(0, 7).mapToObj(i -> "t" + i).toList();
    names.forEach(n -> put("team/app:" + n));
    put("team/app2:t0", "team/ap:t0");

    List<JsonNode> pages = pages("/repositories/team%2Fapp/tags?limit=3");

    assertThat(pages).hasSize(3);
    assertThat(pages.get(0).get("Links").get("next").asText()).startsWith("/repositories/team%2Fapp/tags?limit=3&offset=");
    assertThat(pages.stream().flatMap(p -> strings(p.get("result")).stream())).containsExactlyElementsOf(names);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {
      "?limit=0", "?limit=-1", "?limit=abc", "?limit=", "?limit=1.5", "?limit=-99999999999",
      "?offset=not-a-token", "?offset=%%%", "?offset=Mjpmb28", "?foo=bar", "?limit=2&foo=bar", "?Limit=2"})
  void list_badQuery_400(String query) {
    for (String path : new String[] {"/list/team" + query, "/repositories/team/tags" + query}) {
      Response r = server.get().get(path);

      assertThat(r.status()).as(path).isEqualTo(400);
      assertThat(r.json().get("status").asInt()).as(path).isEqualTo(400);
      assertThat(r.json().get("message").asText()).as(path).isNotBlank();
    }
  }

  /** Kraken refuses only 0 and non-numbers; its proxy passes /v2/_catalog?n= through, so a big limit is clamped. */
  @ParameterizedTest(name = "[{index}] limit={0}")
  @ValueSource(strings = {"10001", "99999999999", "999999999999999999999999"})
  void list_limitAboveMaximum_clampedAndShownInLinks(String limit) {
    IntStream.range(0, 3).forEach(i -> put("clamp:v" + i));
    for (String path : new String[] {"/list/clamp", "/repositories/clamp/tags"}) {
      JsonNode body = ok(server.get().get(path + "?limit=" + limit));

      assertThat(body.get("size").asInt()).as(path).isEqualTo(3);
      assertThat(body.get("Links").get("self").asText()).as(path).isEqualTo(path + "?limit=10000");
      assertThat(body.get("Links").get("next").asText()).as(path).isEmpty();
    }
  }

  @Test
  void list_clampedLimit_nextLinkCarriesTheMaximum() {
    for (int batch = 0; batch < 11; batch++) { // 10,001 tags, 1,000 per request
      int from = batch * 1000;
      String writes = IntStream.range(from, Math.min(from + 1000, 10_001))
          .mapToObj(i -> "{\"tag\":\"big:v" + i + "\",\"digest\":\"" + digest(1) + "\",\"generation\":1}")
          .collect(java.util.stream.Collectors.joining(","));
      assertThat(server.get().post("/replication/writes", "{\"writes\":[" + writes + "]}").status()).isEqualTo(200);
    }

    JsonNode first = ok(server.get().get("/list/big?limit=50000"));

    assertThat(first.get("size").asInt()).isEqualTo(10_000);
    assertThat(first.get("Links").get("next").asText()).startsWith("/list/big?limit=10000&offset=");
    JsonNode second = ok(server.get().get(first.get("Links").get("next").asText()));
    assertThat(second.get("size").asInt()).isEqualTo(1);
  }

  @Test
  void list_largestLimit_accepted() {
    put("a:1");

    assertThat(server.get().get("/list/a?limit=10000").status()).isEqualTo(200);
  }

  /*
   * Writers add tags while a reader pages through: every tag that existed for the whole listing
   * shows up exactly once, and no tag appears twice.
   */
  @Test
  void list_concurrentWrites_noDuplicatesNoSkips() throws Exception {
    List<String> existing = putEveryTenth();

    List<String> seen = pageWhileWriting("/list/team/app?limit=7");

    assertThat(seen).doesNotHaveDuplicates().isSorted().containsAll(existing);
  }

  @Test
  void repositories_concurrentWrites_noDuplicatesNoSkips() throws Exception {
    List<String> existing = putEveryTenth().stream().map(t -> t.substring("team/app:".length())).toList();

    List<String> seen = pageWhileWriting("/repositories/team%2Fapp/tags?limit=7");

    assertThat(seen).doesNotHaveDuplicates().isSorted().containsAll(existing);
  }

  /** team/app:v0000, v0010, ... v2990; the writers fill the numbers in between. */
  private List<String> putEveryTenth() {
    List<String> existing = IntStream.range(0, 300).mapToObj(i -> String.format("team/app:v%04d", i * 10)).toList();
    put(existing.toArray(String[]::new));
    return existing;
  }

  /** Pages through {@code first} while writer threads add tags all over the range; returns every item seen. */
  private List<String> pageWhileWriting(String first) throws Exception {
    int writerCount = 4;
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger counter = new AtomicInteger();
    AtomicInteger written = new AtomicInteger();
    CountDownLatch writing = new CountDownLatch(writerCount);
    ExecutorService writers = Executors.newFixedThreadPool(writerCount);
    List<Future<?>> futures = new ArrayList<>();
    for (int w = 0; w < writerCount; w++) {
      futures.add(writers.submit(() -> {
        writing.countDown();
        while (!done.get()) {
          int n = counter.incrementAndGet() * 7919 % 3000; // scattered over the range
          String tag = String.format("team/app:v%04d", n % 10 == 0 ? n + 1 : n);
          assertThat(server.get().putTag(tag, digest(9)).status()).isEqualTo(200);
          written.incrementAndGet();
        }
        return null;
      }));
    }
    try {
      assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
      List<String> seen = new ArrayList<>();
      for (String next = first; !next.isEmpty(); ) {
        JsonNode page = ok(server.get().get(next));
        seen.addAll(strings(page.get("result")));
        next = page.get("Links").get("next").asText();
      }
      return seen;
    } finally {
      done.set(true);
      writers.shutdown();
      assertThat(writers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      for (Future<?> f : futures) {
        f.get(); // a failed write fails the test
      }
      assertThat(written.get()).isPositive();
    }
  }

  private void put(String... tags) {
    for (String tag : tags) {
      assertThat(server.get().putTag(tag, digest(1)).status()).as(tag).isEqualTo(200);
    }
  }

  private List<JsonNode> pages(String first) {
    List<JsonNode> pages = new ArrayList<>();
    for (String next = first; !next.isEmpty(); next = pages.get(pages.size() - 1).get("Links").get("next").asText()) {
      assertThat(pages).as("runaway paging").hasSizeLessThan(100);
      pages.add(ok(server.get().get(next)));
    }
    return pages;
  }

  private static JsonNode ok(Response r) {
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    return r.json();
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
