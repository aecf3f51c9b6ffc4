package io.buildindex.tagreplication;

import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up repair of the queue: tasks a previous process left running go back to pending, waiting
 * tasks whose remote rule is gone are cancelled (kept as dead with the reason), and the backfill
 * log gets a row for every rule never backfilled. Runs once, before the workers start.
 */
final class Recovery {
  private static final Logger log = LoggerFactory.getLogger(Recovery.class);
  /** Waiting tasks checked per read and per cancelling write. */
  static final int PAGE = 1_000;

  private final ReplicationContext context;
  private final RemoteRules rules;
  private final SqliteTaskAdmin admin;

  Recovery(ReplicationContext context, RemoteRules rules) {
    this.context = context;
    this.admin = new SqliteTaskAdmin(context.sql());
    this.rules = rules;
  }

  void run() {
    int reset = context.db().write(tx -> admin.resetRunning(tx, context.nodeId(), now()));
    int cancelled = cancelUnmatched();
    int added = context.db().write(tx -> new SqliteBackfillLog(context.sql()).sync(tx, rules, now()));
    if (reset + cancelled + added > 0) {
      log.info("replication start-up: {} interrupted tasks pending again, {} tasks cancelled (rule gone), "
          + "{} new rules to backfill", reset, cancelled, added);
    }
  }

  /** Cancels pending and failed tasks that the rules no longer send to their destination. */
  int cancelUnmatched() {
    int cancelled = 0;
    long after = 0;
    List<SqliteTaskAdmin.WaitingTask> page;
    do {
      long from = after;
      page = context.db().read(c -> admin.waiting(c, from, PAGE));
      List<SqliteTaskAdmin.WaitingTask> gone = page.stream().filter(t -> !rules.replicates(t.tag(), t.destination())).toList();
      for (String destination : gone.stream().map(SqliteTaskAdmin.WaitingTask::destination).distinct().toList()) {
        List<SqliteTaskAdmin.WaitingTask> batch = gone.stream().filter(t -> t.destination().equals(destination)).toList();
        cancelled += context.db().write(tx -> admin.cancel(tx, batch, why(destination), now()));
      }
      after = page.isEmpty() ? after : page.get(page.size() - 1).id();
    } while (page.size() == PAGE);
    return cancelled;
  }

  private String why(String destination) {
    return rules.destinations().containsKey(destination)
        ? "no rule of remote " + destination + " matches the tag any more"
        : "remote " + destination + " was removed from the configuration";
  }

  private Instant now() {
    return context.clock().instant();
  }
}
