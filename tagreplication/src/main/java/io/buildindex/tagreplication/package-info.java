/**
 * Tag replication to the build-indexes of other datacenters: a persistent task queue in the node's
 * SQLite database (one row per tag and destination), workers that copy blobs through the origin
 * and then the tag to the remote, remote rules, backfill of existing tags when rules are added,
 * and the status views operators use to see and steer every task. The seam is
 * {@link io.buildindex.tagreplication.Replication}, built by
 * {@link io.buildindex.tagreplication.Replications}.
 */
@NullMarked
package io.buildindex.tagreplication;

import org.jspecify.annotations.NullMarked;
