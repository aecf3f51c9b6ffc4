package io.buildindex.tagreplication;

import java.time.Instant;

/** The end of one claim of {@code task}: its result, reached at {@code at}. */
record Finished(ClaimedTask task, TaskResult result, Instant at) {}
