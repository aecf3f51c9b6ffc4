package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.buildindex.server.RawHttp.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replication across restarts of the source: its queue survives kill -9, and new rules backfill. */
final class ReplicationRestartTest {
  private static final int WRITERS = 4;
  private static final int ONCE_TAGS = 150;
  private static final int HOT_TAGS = 15;
  private static final int HOT_WRITES = 10;
  private static final int BACKFILLED = 20;

  @TempDir Path dir;
  ReplicationNode a;
  ReplicationNode b;

  /** What A acknowledged last for a tag. */
  record Written(String digest, long generation) {}

  @BeforeEach
  void reserve() {
    b = ReplicationNode.reserve(dir, "b");
    a = ReplicationNode.reserve(dir, "a");
  }

  @AfterEach
  void stop() {
    try (ReplicationNode closeA = a; ReplicationNode closeB = b) {
      // closes both, even when one fails
    }
  }

  @Test
  void sourceKilledWithBacklog_everyTagArrivesAtItsNewestDigestInOrder() throws Exception {
    a.configure(b.asRemote("team/.*") + ReplicationNode.FAST_RETRIES).start();
    Map<String, Written> newest = writeBacklog();
    assertThat(newest).hasSize(ONCE_TAGS + HOT_TAGS);
    // The backlog is in its retry cycle, not merely queued, when A dies.
    ReplicationNode.await("A tried B and failed", () -> ReplicationOutageTest.connectFailures(a), n -> n >= 1, a);

    a.kill();
    // B first: what a restarted A does while its remote is still down is ReplicationOutageTest's subject.
    b.start();
    a.start();

    awaitAll(newest);
    for (Map.Entry<String, Written> e : newest.entrySet()) {
      String tag = e.getKey();
      Response there = b.get(tag);
      assertThat(there.text()).as(tag).isEqualTo(e.getValue().digest());
      assertThat(Long.parseLong(there.header("X-Tag-Generation"))).as(tag).isEqualTo(e.getValue().generation());
      assertAppliedInOrder(tag, b.history(tag), e.getValue());
    }
    a.awaitAllDone(b, newest.size());
    // Pages of 50 list each tag's task exactly once.
    assertThat(a.tasks("limit=50&destination=" + b.address())).extracting(t -> t.get("tag").asText())
        .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(newest.keySet());
  }

  @Test
  void remoteAdded_existingMatchingTagsBackfilled() {
    a.configure(ReplicationNode.FAST_RETRIES);
    ReplicationNode.startAll(a, b);
    List<String> generations = new ArrayList<>();
    for (int i = 0; i < BACKFILLED; i++) {
      generations.add(a.put("team/app:b" + i, digest(i), false).header("X-Tag-Generation"));
    }
    a.put("other/app:x", digest(100), false);
    a.put("team/app:gone", digest(101), false);
    a.send("DELETE", "/tags/team%2Fapp:gone");
    assertThat(a.send("GET", "/replication/backfill").json()).isEmpty();
    a.stop();

    a.configure(b.asRemote("team/.*") + ReplicationNode.FAST_RETRIES).start();

    for (int i = 0; i < BACKFILLED; i++) {
      b.awaitDigest("team/app:b" + i, digest(i), a, b);
      assertThat(b.get("team/app:b" + i).header("X-Tag-Generation")).isEqualTo(generations.get(i));
    }
    JsonNode backfill = ReplicationNode.await("backfill done", () -> a.send("GET", "/replication/backfill").json(),
        j -> j.size() == 1 && j.get(0).get("state").asText().equals("done"), a, b);
    assertThat(backfill.get(0).get("remote").asText()).isEqualTo(b.address());
    assertThat(backfill.get(0).get("rule").asText()).isEqualTo("team/.*");
    assertThat(backfill.get(0).get("enqueued").asLong()).isEqualTo(BACKFILLED);
    assertThat(backfill.get(0).get("done").asBoolean()).isTrue();
    JsonNode task = a.awaitTask("team/app:b0", b, "done");
    assertThat(task.get("backfill").asBoolean()).isTrue();
    assertThat(a.replication("other/app:x")).isEmpty();
    assertThat(a.replication("team/app:gone")).isEmpty();
    assertThat(b.get("other/app:x").status()).isEqualTo(404);
    assertThat(b.get("team/app:gone").status()).isEqualTo(404);
  }

  /*
   * A remote whose clock runs ahead sends generations from A's future. A's clock moves past them
   * so that A's own later writes win (TagWrites); that must survive a restart of A, or a client's
   * PUT is acknowledged with 200 and silently loses to the older replicated write.
   */
  @Test
  void restart_afterReplicatedWriteFromFastClock_localWriteStillWins() {
    a.start();
    // Ahead, but within tagserver.max_clock_skew (5m): a generation further ahead is refused.
    long minutesAhead = (System.currentTimeMillis() + Duration.ofMinutes(3).toMillis()) << 16; // Generation.COUNTER_BITS
    Response replicated = a.send("PUT", "/tags/team%2Fapp:skew/digest/" + digest(1),
        Map.of("X-Tag-Generation", Long.toString(minutesAhead)));
    assertThat(replicated.header("X-Tag-Outcome")).isEqualTo("applied");
    a.stop();
    a.start();

    Response local = a.put("team/app:skew", digest(2), false);

    assertThat(local.header("X-Tag-Outcome")).as(local.toString()).isEqualTo("applied");
    assertThat(Long.parseLong(local.header("X-Tag-Generation"))).isGreaterThan(minutesAhead);
    assertThat(a.digestOf("team/app:skew")).isEqualTo(digest(2));
  }

  /**
   * 300 replicated PUTs on A from {@value #WRITERS} threads: {@value #ONCE_TAGS} tags written once,
   * {@value #HOT_TAGS} written {@value #HOT_WRITES} times each, always by the same thread so in
   * order. Returns the last write of each tag.
   */
  private Map<String, Written> writeBacklog() throws InterruptedException {
    Map<String, Written> newest = new ConcurrentHashMap<>();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      writers.add(Thread.ofVirtual().name("writer-" + w).start(() -> {
        try {
          for (int round = 0; round < HOT_WRITES; round++) {
            for (int h = writer; h < HOT_TAGS; h += WRITERS) {
              write("team/hot:h" + h, digest(1_000L * h + round), newest);
            }
            for (int i = writer; i < ONCE_TAGS; i += WRITERS) {
              if (i % HOT_WRITES == round) {
                write("team/app:once" + i, digest(1_000_000L + i), newest);
              }
            }
          }
        } catch (Throwable t) {
          errors.add(t);
        }
      }));
    }
    for (Thread t : writers) {
      assertThat(t.join(Duration.ofSeconds(120))).as(t.getName()).isTrue();
    }
    assertThat(errors).isEmpty();
    return newest;
  }

  private void write(String tag, String digest, Map<String, Written> newest) {
    Response r = a.put(tag, digest, true);
    assertThat(r.status()).as(tag + " " + r).isEqualTo(200);
    long generation = Long.parseLong(r.header("X-Tag-Generation"));
    Written before = newest.put(tag, new Written(digest, generation));
    assertThat(before == null || before.generation() < generation).as(tag + " generations grow").isTrue();
  }

  private void awaitAll(Map<String, Written> newest) {
    Set<String> missing = new HashSet<>(newest.keySet());
    ReplicationNode.await("B holds every tag at its newest digest", () -> {
      missing.removeIf(tag -> newest.get(tag).digest().equals(b.digestOf(tag)));
      return missing;
    }, Set::isEmpty, a, b);
  }

  /** B's history never goes back to an older generation, and ends on the newest write. */
  private static void assertAppliedInOrder(String tag, JsonNode history, Written newest) {
    List<Long> generations = new ArrayList<>();
    history.forEach(h -> generations.add(h.get("generation").asLong()));
    assertThat(generations).as(tag + " history, newest first: " + history).isSortedAccordingTo((x, y) -> Long.compare(y, x))
        .doesNotHaveDuplicates();
    assertThat(history.get(0).get("digest").asText()).as(tag).isEqualTo(newest.digest());
    assertThat(generations.get(0)).as(tag).isEqualTo(newest.generation());
  }
}
