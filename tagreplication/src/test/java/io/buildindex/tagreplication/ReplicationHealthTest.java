package io.buildindex.tagreplication;

import static io.buildindex.tagreplication.SqliteTaskQueueTest.D1;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.buildindex.testing.FreePorts;
import io.buildindex.testing.LogCapture;
import io.buildindex.testing.Poll;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A destination's outage as operators see it: the log lines at the default level and its status. */
final class ReplicationHealthTest {
  private static final int TASKS = 20;

  @TempDir Path dir;
  private final Closer closer = new Closer();
  private final LogCapture logs = closer.add(LogCapture.of(DestinationHealthLog.class));

  @AfterEach
  void closeAll() throws Exception {
    closer.close();
  }

  @Test
  void remoteDownThenUp_oneWarnPerOutageNotPerTask_andRecoveryInfo() {
    int port = FreePorts.one(); // nothing listens: connections are refused
    String remote = "127.0.0.1:" + port;
    TestNode node = closer.add(new TestNode(dir, Map.of(remote, List.of(".*"))));
    List<String> tags = IntStream.range(0, TASKS).mapToObj(i -> "team/app:v" + i).toList();

    tags.forEach(t -> node.put(t, D1, true));

    Poll.until(Poll.DEADLINE, "every task failed once and the breaker opened",
        () -> tags.stream().allMatch(t -> node.task(t, remote).orElseThrow().attempts() >= 1)
            && !lines(Level.WARN, "circuit breaker of " + remote + " opened").isEmpty(), logs::events);
    assertThat(lines(Level.WARN, "replication to " + remote + " is failing")).as("one line per outage, not per task")
        .singleElement().satisfies(line -> assertThat(line).contains("connect: ").containsPattern(" [0-9]+ tasks waiting"));
    DestinationStatus down = node.replication().destinations().getFirst();
    assertThat(down.destination()).isEqualTo(remote);
    assertThat(down.consecutiveFailures()).isGreaterThanOrEqualTo(DestinationBreaker.FAILURES_TO_OPEN);
    assertThat(down.tasksWaiting()).isEqualTo(TASKS);
    assertThat(down.lastError()).startsWith("connect: ");
    assertThat(down.failingSince()).isNotNull();
    assertThat(down.lastSuccess()).isNull();

    closer.add(FakeRemote.startOn(port));

    tags.forEach(t -> node.awaitState(t, remote, TaskState.DONE));
    Poll.until(Poll.DEADLINE, "the recovery logged", () -> !lines(Level.INFO, "replication to " + remote + " recovered after").isEmpty(),
        logs::events);
    assertThat(lines(Level.WARN, "circuit breaker of " + remote + " closed: an attempt succeeded")).isNotEmpty();
    assertThat(lines(Level.WARN, "replication to " + remote + " is failing")).as("still one").hasSize(1);
    DestinationStatus up = node.replication().destinations().getFirst();
    assertThat(up.state()).isEqualTo(BreakerState.CLOSED);
    assertThat(up.consecutiveFailures()).isZero();
    assertThat(up.openUntil()).isNull();
    assertThat(up.tasksWaiting()).isZero();
    assertThat(up.lastSuccess()).isNotNull();
    assertThat(up.failingSince()).isNull();
  }

  @Test
  void warnLines_carryTheDestinationAsKeyValue() {
    int port = FreePorts.one();
    String remote = "127.0.0.1:" + port;
    TestNode node = closer.add(new TestNode(dir, Map.of(remote, List.of(".*"))));

    node.put("team/app:v1", D1, true);

    ILoggingEvent failing = Poll.value(Poll.DEADLINE, "the failing line", () -> logs.events().stream()
        .filter(e -> e.getFormattedMessage().startsWith("replication to " + remote + " is failing")).findFirst(),
        java.util.Optional::isPresent, logs::events).orElseThrow();
    assertThat(failing.getKeyValuePairs()).anySatisfy(kv -> {
      assertThat(kv.key).isEqualTo("destination");
      assertThat(kv.value).isEqualTo(remote);
    });
  }

  private List<String> lines(Level level, String prefix) {
    return logs.messages(level).stream().filter(m -> m.startsWith(prefix)).toList();
  }
}
