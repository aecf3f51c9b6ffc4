package io.buildindex.tagreplication;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.database.LocalDb;
import io.buildindex.tagstore.TagStore;
import java.time.Clock;
import java.util.Objects;
import okhttp3.OkHttpClient;

/**
 * What replication runs on, owned by the caller: the node's database (where the queue lives),
 * its tag store (scanned by backfill), the HTTP client for remotes (carrying authentication), the
 * clock, the metric registry, and the node's id: the owner of the tasks it claims, which must
 * differ between the nodes sharing a database (its advertised {@code host:port}, say) and stay
 * the same across its restarts (a restarted node takes its own interrupted tasks back at once).
 */
public record ReplicationContext(LocalDb db, TagStore tags, OkHttpClient http, Clock clock, MetricRegistry metrics,
    String nodeId) {
  public ReplicationContext {
    Objects.requireNonNull(nodeId, "nodeId");
    if (nodeId.isEmpty()) {
      throw new IllegalArgumentException("empty node id");
    }
  }

  /** A node alone on its database (SQLite), whose id matters to no one else. */
  public ReplicationContext(LocalDb db, TagStore tags, OkHttpClient http, Clock clock, MetricRegistry metrics) {
    this(db, tags, http, clock, metrics, Lease.LOCAL);
  }

  /** The SQL of the database's dialect. */
  TaskSql sql() {
    return TaskSql.of(db);
  }
}
