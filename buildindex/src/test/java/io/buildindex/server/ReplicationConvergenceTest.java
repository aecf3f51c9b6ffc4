package io.buildindex.server;

import static io.buildindex.server.TestServer.digest;
import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.server.RawHttp.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two datacenters replicating to each other, both writing the same tags at nearly the same time:
 * last write wins everywhere, by generation.
 */
final class ReplicationConvergenceTest {
  private static final int TAGS = 3;
  private static final int ROUNDS = 5;

  @TempDir static Path dir;
  static ReplicationNode a;
  static ReplicationNode b;

  /** One acknowledged write; {@code digest} null for a delete. */
  record Write(@Nullable String digest, long generation) {}

  @BeforeAll
  static void start() {
    a = ReplicationNode.reserve(dir, "a");
    b = ReplicationNode.reserve(dir, "b");
    a.configure(b.asRemote("team/.*") + ReplicationNode.FAST_RETRIES);
    b.configure(a.asRemote("team/.*") + ReplicationNode.FAST_RETRIES);
    ReplicationNode.startAll(a, b);
  }

  @AfterAll
  static void stop() {
    try (ReplicationNode closeA = a; ReplicationNode closeB = b) {
      // closes both, even when one fails
    }
  }

  @Test
  void concurrentWritesOnBothSides_convergeOnHighestGeneration() throws Exception {
    Map<String, List<Write>> writes = new ConcurrentHashMap<>();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    CyclicBarrier together = new CyclicBarrier(2);
    Thread onA = Thread.ofVirtual().start(() -> writeRounds(a, 1, together, writes, errors));
    Thread onB = Thread.ofVirtual().start(() -> writeRounds(b, 2, together, writes, errors));
    assertThat(onA.join(Duration.ofSeconds(120))).isTrue();
    assertThat(onB.join(Duration.ofSeconds(120))).isTrue();
    assertThat(errors).isEmpty();

    for (int t = 0; t < TAGS; t++) {
      String tag = "team/app:race" + t;
      assertThat(writes.get(tag)).hasSize(2 * ROUNDS);
      Write winner = writes.get(tag).stream().max(lastWriteWins()).orElseThrow();
      for (ReplicationNode node : List.of(a, b)) {
        node.awaitDigest(tag, winner.digest(), a, b);
        assertThat(Long.parseLong(node.get(tag).header("X-Tag-Generation"))).as(node + " " + tag)
            .isEqualTo(winner.generation());
      }
    }
    for (int t = 0; t < TAGS; t++) {
      assertSettled("team/app:race" + t);
    }
  }

  @Test
  void deleteOnOneSidePutOnTheOther_convergeOnHighestGeneration() throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      String tag = "team/app:gone" + round;
      String first = digest(round);
      String second = digest(100 + round);
      a.put(tag, first, true);
      b.awaitDigest(tag, first, a, b);
      CyclicBarrier together = new CyclicBarrier(2);
      List<Throwable> errors = new CopyOnWriteArrayList<>();
      Map<String, Write> writes = new ConcurrentHashMap<>();
      Thread onA = Thread.ofVirtual().start(() -> race(together, errors,
          () -> writes.put("delete", written(null, a.send("DELETE", "/tags/" + TestServer.escape(tag)), 204))));
      Thread onB = Thread.ofVirtual().start(() -> race(together, errors,
          () -> writes.put("put", written(second, b.put(tag, second, true), 200))));
      assertThat(onA.join(Duration.ofSeconds(60))).isTrue();
      assertThat(onB.join(Duration.ofSeconds(60))).isTrue();
      assertThat(errors).isEmpty();

      boolean deleteWins = writes.get("delete").generation() > writes.get("put").generation();
      Write winner = deleteWins ? writes.get("delete") : writes.get("put");
      for (ReplicationNode node : List.of(a, b)) {
        ReplicationNode.await(node + " holds the winner of " + tag + ": " + winner, () -> node.get(tag),
            r -> r.status() == (deleteWins ? 404 : 200) && (deleteWins || r.text().equals(winner.digest()))
                && String.valueOf(winner.generation()).equals(r.header("X-Tag-Generation")), a, b);
      }
      assertSettled(tag);
    }
  }

  /** Neither side's task for {@code tag} failed or was left behind. */
  private static void assertSettled(String tag) {
    a.awaitTask(tag, b, "done");
    b.awaitTask(tag, a, "done");
  }

  private static void race(CyclicBarrier together, List<Throwable> errors, Runnable write) {
    try {
      together.await();
      write.run();
    } catch (Throwable t) {
      errors.add(t);
      together.reset();
    }
  }

  private static Write written(String digest, Response r, int status) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    return new Write(digest, Long.parseLong(r.header("X-Tag-Generation")));
  }

  /** Each round, both sides write every tag, meeting at the barrier first; digests say who wrote which round. */
  private static void writeRounds(ReplicationNode node, int side, CyclicBarrier together,
      Map<String, List<Write>> writes, List<Throwable> errors) {
    try {
      for (int round = 0; round < ROUNDS; round++) {
        together.await();
        for (int t = 0; t < TAGS; t++) {
          String tag = "team/app:race" + t;
          String digest = digest(side * 1_000_000L + round * 1_000L + t);
          Response r = node.put(tag, digest, true);
          assertThat(r.status()).as(node + " " + tag + " " + r).isEqualTo(200);
          writes.computeIfAbsent(tag, k -> new CopyOnWriteArrayList<>())
              .add(new Write(digest, Long.parseLong(r.header("X-Tag-Generation"))));
        }
      }
    } catch (Throwable t) {
      errors.add(t);
      together.reset(); // the other side must not wait for this one forever
    }
  }

  /** The store's order: the higher generation, and on a tie the greater digest. */
  private static Comparator<Write> lastWriteWins() {
    return Comparator.comparingLong(Write::generation).thenComparing(Write::digest);
  }
}
