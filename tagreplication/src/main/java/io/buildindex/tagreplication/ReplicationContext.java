package io.buildindex.tagreplication;

import com.codahale.metrics.MetricRegistry;
import io.buildindex.database.LocalDb;
import io.buildindex.tagstore.TagStore;
import java.time.Clock;
import okhttp3.OkHttpClient;

/**
 * What replication runs on, owned by the caller: the node's database (where the queue lives),
 * its tag store (scanned by backfill), the HTTP client for remotes (carrying authentication), the
 * clock and the metric registry.
 */
public record ReplicationContext(LocalDb db, TagStore tags, OkHttpClient http, Clock clock, MetricRegistry metrics) {}
