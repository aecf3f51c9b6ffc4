package io.buildindex.tagreplication;

import static org.assertj.core.api.Assertions.assertThat;

import io.buildindex.config.TagReplicationConfig;
import io.buildindex.testing.Poll;
import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.PutResult;
import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagRecord;
import io.buildindex.tagstore.TagStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tag write whose destination is idle claims its task in its own transaction and hands it to
 * the lane when it committed ({@link TaskEngine#claimIfIdle}), instead of waiting for the
 * dispatcher's claim; a busy lane, a delayed task, or the second task of one write for a
 * destination keep the dispatcher's way. On a real SQLite file, against a fake remote over HTTP.
 */
final class WriteHandOverTest {
  private static final Digest D1 = SqliteTaskQueueTest.D1;

  @TempDir Path dir;
  private final Closer closer = new Closer();
  private long generation = 1;

  @AfterEach
  void closeAll() throws Exception {
    closer.close();
  }

  private TestNode node(FakeRemote remote, TagReplicationConfig config) {
    return closer.add(new TestNode(dir, Map.of(remote.address(), List.of(".*")), config, BlobReplicator.NONE));
  }

  private PutResult applied(String tag) {
    return new PutResult(PutResult.Outcome.APPLIED,
        new TagRecord(Tag.parse(tag), D1, new Generation(generation++), Instant.now()));
  }

  /** The task rows' states of {@code tags} as {@code tx} sees them, in order. */
  private static List<String> states(Connection tx, String... tags) throws SQLException {
    List<String> out = new java.util.ArrayList<>();
    try (PreparedStatement q = tx.prepareStatement("SELECT state, lease_owner FROM replication_tasks WHERE tag = ?")) {
      for (String tag : tags) {
        q.setString(1, tag);
        try (ResultSet rs = q.executeQuery()) {
          assertThat(rs.next()).as("task row of %s", tag).isTrue();
          out.add(rs.getString(1) + (rs.getString(2) == null ? "" : " by " + rs.getString(2)));
        }
      }
    }
    return out;
  }

  /** Applies {@code hook} for each of {@code tags} in one transaction; their task rows' states as it sees them. */
  private List<String> writeInOneTransaction(TestNode node, TagStore.InTransaction hook, String... tags) {
    return node.context().db().write(tx -> {
      for (String tag : tags) {
        hook.apply(tx, applied(tag));
      }
      return states(tx, tags);
    });
  }

  @Test
  void idleLane_theWriteClaimsItsTaskInItsOwnTransaction_andItsCommitStartsIt() {
    FakeRemote remote = closer.add(FakeRemote.start());
    TestNode node = node(remote, TestNode.fastConfig(0));
    TagStore.InTransaction hook = node.replication().onTagWrite(true, List.of(D1));

    List<String> inTransaction = writeInOneTransaction(node, hook, "team/app:1");

    assertThat(inTransaction).containsExactly("running by " + Lease.LOCAL);
    // Claimed by this write, so no dispatcher claim can take it: only the hand-over sends it.
    assertThat(remote.entry("team/app:1")).isEmpty();
    hook.committed();
    node.awaitState("team/app:1", remote.address(), TaskState.DONE);
    assertThat(remote.entry("team/app:1")).map(FakeRemote.Entry::digest).contains(D1.toString());
  }

  @Test
  void oneWrite_claimsAtMostOneTaskPerDestination_theRestGoesToTheDispatcher() {
    FakeRemote remote = closer.add(FakeRemote.start());
    TestNode node = node(remote, TestNode.fastConfig(0));
    TagStore.InTransaction hook = node.replication().onTagWrite(true, List.of(D1));

    List<String> inTransaction = writeInOneTransaction(node, hook, "team/app:1", "team/app:2");
    hook.committed();

    assertThat(inTransaction).containsExactly("running by " + Lease.LOCAL, "pending");
    node.awaitState("team/app:1", remote.address(), TaskState.DONE);
    node.awaitState("team/app:2", remote.address(), TaskState.DONE);
  }

  @Test
  void laneWithAnAttemptInFlight_taskLeftPendingForTheDispatcher() {
    FakeRemote remote = closer.add(FakeRemote.start());
    TestNode node = node(remote, TestNode.fastConfig(0)); // 2 requests at most per destination: one is free
    remote.holdGets();
    node.put("team/app:1", D1, true);
    Poll.until(Poll.DEADLINE, "an attempt waiting at the remote", () -> remote.gets() >= 1, remote::gets);
    TagStore.InTransaction hook = node.replication().onTagWrite(true, List.of(D1));

    List<String> inTransaction = writeInOneTransaction(node, hook, "team/app:2");
    hook.committed();

    assertThat(inTransaction).containsExactly("pending");
    remote.releaseGets();
    for (String tag : List.of("team/app:1", "team/app:2")) {
      node.awaitState(tag, remote.address(), TaskState.DONE);
    }
  }

  @Test
  void delayedTask_ofANeighborsBackup_notClaimedByTheWrite() {
    FakeRemote remote = closer.add(FakeRemote.start());
    TestNode node = node(remote, TestNode.fastConfig(0));
    TagStore.InTransaction hook = node.replication().onTagWrite(List.of(D1), Duration.ofMinutes(10));

    List<String> inTransaction = writeInOneTransaction(node, hook, "team/app:1");
    hook.committed();

    assertThat(inTransaction).containsExactly("pending");
  }

  @Test
  void claimNeverHandedOver_leaseRunsOut_andTheDispatcherReplicatesIt() {
    FakeRemote remote = closer.add(FakeRemote.start());
    TestNode node = node(remote, new TagReplicationConfig(Duration.ofMillis(20), Duration.ofMillis(200),
        Duration.ofMillis(100), 0, 4, 2, null, 1_000, null, null, null, TagReplicationConfig.MIN_LEASE_DURATION));
    TagStore.InTransaction hook = node.replication().onTagWrite(true, List.of(D1));

    List<String> inTransaction = writeInOneTransaction(node, hook, "team/app:1");
    // As if the writing thread died between the commit and the hand-over: committed() never runs.

    assertThat(inTransaction).containsExactly("running by " + Lease.LOCAL);
    node.awaitState("team/app:1", remote.address(), TaskState.DONE);
    assertThat(remote.entry("team/app:1")).map(FakeRemote.Entry::digest).contains(D1.toString());
  }
}
