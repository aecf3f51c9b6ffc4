package io.buildindex.tagreplication;

import io.buildindex.testing.Poll;
import static io.buildindex.tagreplication.SqliteTaskQueueTest.D1;
import static io.buildindex.tagreplication.SqliteTaskQueueTest.D2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.InvalidInputException;
import io.buildindex.tagstore.PutResult;
import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verification against a {@link FakeRemote} that serves the verification read routes over its
 * map: a remote that lost tags gets them again, one that is newer or holds extra tags gets nothing.
 */
final class VerificationTest {
  private static final String RULE = "^team/";

  @TempDir Path dir;
  private final Closer closer = new Closer();

  @AfterEach
  void closeAll() throws Exception {
    closer.close();
  }

  private FakeRemote remote() {
    return closer.add(FakeRemote.startBatching());
  }

  private TestNode node(String destination) {
    return closer.add(new TestNode(dir, Map.of(destination, List.of(RULE))));
  }

  private static long verifyNow(TestNode node) {
    return ((QueuedReplication) node.replication()).verifyNow();
  }

  private static VerificationProgress progress(TestNode node) {
    return node.replication().verification().get(0);
  }

  private static VerificationStatus status(TestNode node, String tag) {
    return node.replication().verification(Tag.parse(tag)).get(0);
  }

  private List<PutResult> replicated(TestNode node, FakeRemote remote, int n) {
    List<PutResult> puts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      puts.add(node.put("team/app:t" + i, i % 2 == 0 ? D1 : D2, true));
    }
    node.put("other/app:x", D1, true); // no rule matches: never verified
    for (PutResult p : puts) {
      node.awaitState(p.current().tag().toString(), remote.address(), TaskState.DONE);
    }
    return puts;
  }

  @Test
  void remoteLostEverything_everyTagEnqueuedAgainAndArrives() {
    FakeRemote remote = remote();
    TestNode node = node(remote.address());
    List<PutResult> puts = replicated(node, remote, 40);
    assertThat(status(node, "team/app:t0").state()).isEqualTo(VerificationStatus.UNVERIFIED);

    remote.clear();
    assertThat(verifyNow(node)).isEqualTo(40);

    Poll.until(Poll.DEADLINE, "every tag back at the remote", () -> remote.size() == 40, remote::size);
    for (PutResult p : puts) {
      assertThat(remote.entry(p.current().tag().toString()))
          .contains(new FakeRemote.Entry(p.current().digest().toString(), p.current().generation().value()));
      TaskStatus task = node.awaitState(p.current().tag().toString(), remote.address(), TaskState.DONE);
      assertThat(task.backfill()).as("repairs run at backfill priority").isTrue();
    }
    VerificationProgress run = progress(node);
    assertThat(run.state()).isEqualTo(VerificationProgress.OK);
    assertThat(run.bucketsCompared()).isEqualTo(RuleSummaries.BUCKETS);
    assertThat(run.differingBuckets()).isBetween(1, 40);
    assertThat(run.mismatches()).isEqualTo(40);
    assertThat(run.repaired()).isEqualTo(40);
    assertThat(status(node, "team/app:t0").state()).isEqualTo(VerificationStatus.REPAIRED);
    assertThat(node.metrics().counter("tagreplication.verification_mismatches").getCount()).isEqualTo(40);
    assertThat(node.metrics().counter("tagreplication.verification_repaired").getCount()).isEqualTo(40);

    assertThat(verifyNow(node)).as("in sync now").isZero();
    VerificationProgress again = progress(node);
    assertThat(again.differingBuckets()).isZero();
    assertThat(again.mismatches()).isZero();
    assertThat(again.repairedTotal()).isEqualTo(40);
    assertThat(again.runs()).isEqualTo(2);
    VerificationStatus verified = status(node, "team/app:t0");
    assertThat(verified.state()).isEqualTo(VerificationStatus.VERIFIED);
    assertThat(verified.verifiedAt()).isEqualTo(again.lastSuccess());
    assertThat(node.replication().verification(Tag.parse("other/app:x"))).isEmpty();
  }

  @Test
  void remoteNewerOrHoldingExtraTags_nothingEnqueued() {
    FakeRemote remote = remote();
    TestNode node = node(remote.address());
    List<PutResult> puts = replicated(node, remote, 5);
    remote.seed("team/app:t0", D2.toString(), puts.get(0).current().generation().value() + 1);
    remote.seed("team/only-there:1", D1.toString(), 1);

    assertThat(verifyNow(node)).isZero();

    VerificationProgress run = progress(node);
    assertThat(run.differingBuckets()).isBetween(1, 2);
    assertThat(run.mismatches()).isZero();
    assertThat(remote.entry("team/app:t0")).contains(new FakeRemote.Entry(D2.toString(),
        puts.get(0).current().generation().value() + 1));
  }

  @Test
  void remoteOlderOrNotDeleted_newerStateReplicated() {
    FakeRemote remote = remote();
    TestNode node = node(remote.address());
    List<PutResult> puts = replicated(node, remote, 3);
    PutResult t0 = puts.get(0);
    remote.seed("team/app:t0", D2.toString(), t0.current().generation().value() - 1);
    node.delete("team/app:t1");
    node.awaitState("team/app:t1", remote.address(), TaskState.DONE);
    remote.seed("team/app:t1", D1.toString(), 1); // the tombstone got lost: the old tag is back

    assertThat(verifyNow(node)).isEqualTo(2);

    Poll.until(Poll.DEADLINE, "t0 at its generation and t1 deleted again",
        () -> remote.entry("team/app:t0").equals(Optional.of(
            new FakeRemote.Entry(t0.current().digest().toString(), t0.current().generation().value())))
            && remote.entry("team/app:t1").map(e -> e.digest() == null).orElse(false),
        () -> List.of(remote.entry("team/app:t0"), remote.entry("team/app:t1")));
  }

  @Test
  void remoteDown_failedRunRecordedAndCounted() {
    String down = "127.0.0.1:" + FakeRemote.closedPort();
    TestNode node = node(down);

    assertThat(verifyNow(node)).isZero();

    VerificationProgress run = progress(node);
    assertThat(run.state()).isEqualTo(VerificationProgress.FAILED);
    assertThat(run.lastError()).contains("/replication/verification/summary");
    assertThat(run.lastSuccess()).isNull();
    assertThat(node.metrics().counter("tagreplication.verification_failed_runs").getCount()).isEqualTo(1);
  }

  @Test
  void summaries_sameTagsInAnyOrderGiveTheSameSums() throws Exception {
    try (TagDb a = new TagDb(Files.createDirectories(dir.resolve("a")), Clock.systemUTC());
         TagDb b = new TagDb(Files.createDirectories(dir.resolve("b")), Clock.systemUTC())) {
      List<String> tags = List.of("team/a:1", "team/b:1", "team/c:1", "ops/d:1");
      for (int i = 0; i < tags.size(); i++) {
        a.tags().put(Tag.parse(tags.get(i)), D1, new Generation(100 + i));
        int j = tags.size() - 1 - i;
        b.tags().put(Tag.parse(tags.get(j)), D1, new Generation(100 + j));
      }
      b.tags().delete(Tag.parse("team/gone:1"), new Generation(5),
          TagStore.InTransaction.NONE);
      RuleSummaries sa = new RuleSummaries(a.tags());
      RuleSummaries sb = new RuleSummaries(b.tags());

      assertThat(sa.summary(RULE)).as("tombstones and other tags do not count").isEqualTo(sb.summary(RULE));
      int bucket = RuleSummaries.bucket("team/b:1");
      assertThat(sa.entries(RULE, List.of(bucket))).contains(new RuleSummaries.Entry("team/b:1", D1.toString(), 101));
      assertThat(sa.entries(RULE, List.of(bucket))).noneMatch(e -> e.tag().startsWith("ops/"));
      b.tags().put(Tag.parse("team/b:1"), D2, new Generation(200));
      List<Long> changed = sb.summary(RULE).buckets();
      List<Long> before = sa.summary(RULE).buckets();
      for (int i = 0; i < RuleSummaries.BUCKETS; i++) {
        assertThat(changed.get(i).equals(before.get(i))).as("bucket %d", i).isEqualTo(i != bucket);
      }
      assertThatThrownBy(() -> sa.summary("team/(")).isInstanceOf(InvalidInputException.class).hasMessageContaining("rule");
      assertThatThrownBy(() -> sa.entries(RULE, List.of(256))).isInstanceOf(InvalidInputException.class);
    }
  }

  @Test
  void repairs_atMostTheRatePerSecond() throws Exception {
    FakeRemote remote = remote();
    TestNode node = node(remote.address());
    List<PutResult> puts = replicated(node, remote, 5);
    List<Duration> pauses = new ArrayList<>();
    List<String> wakes = new ArrayList<>();
    Repairs repairs = new Repairs(node.context(), DependencyResolver.DIGEST_ONLY, 2, pauses::add, (d, at) -> wakes.add(d));

    long n = repairs.repair(remote.address(), puts.stream().map(PutResult::current).toList());

    assertThat(n).as("done tasks of the same generation restart").isEqualTo(5);
    assertThat(pauses).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1));
    assertThat(wakes).containsExactly(remote.address(), remote.address(), remote.address());
  }
}
