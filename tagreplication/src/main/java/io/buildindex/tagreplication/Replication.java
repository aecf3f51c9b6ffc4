package io.buildindex.tagreplication;

import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagRecord;
import io.buildindex.tagstore.TagStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Replicates tags to the build-indexes of other datacenters whose remote rules match them, through
 * a persistent queue that survives crashes, remote outages and restarts. Every method is
 * thread-safe. Build one with {@link Replications#create}.
 *
 * <p>A task is the newest replication work for one (tag, destination): a newer write replaces the
 * queued task, and one that arrives while a worker runs the older one runs after it. A task ends
 * {@code done} when the remote holds its state or a newer generation, {@code dead} when it ran out
 * of attempts or its rule was removed; operators list, inspect and retry tasks through
 * {@link #tasks}, {@link #status} and {@link #retry}.
 */
public interface Replication extends AutoCloseable {
  /** The largest page {@link #tasks} returns. */
  int MAX_PAGE = 1000;

  /**
   * A hook for {@link TagStore#put(Tag, Digest, io.buildindex.tagstore.Generation, TagStore.InTransaction)}
   * that enqueues one task per matching remote inside the put's transaction, when {@code replicate}
   * and the put was applied or unchanged (not when a newer generation superseded it). So the tag
   * and its tasks commit together or not at all.
   *
   * @param dependencies the blobs the remote origin needs before the tag; usually the manifest's
   */
  TagStore.InTransaction onTagWrite(boolean replicate, List<Digest> dependencies);

  /**
   * As {@code onTagWrite(true, dependencies)}, with the tasks first due after {@code delay}: a
   * neighbor's DuplicateReplicate, which stores the tag and its delayed tasks in one transaction.
   */
  TagStore.InTransaction onTagWrite(List<Digest> dependencies, Duration delay);

  /** As {@link #onTagWrite}, for {@link TagStore#delete}: the remotes get the tombstone. */
  TagStore.InTransaction onTagDelete(boolean replicate);

  /**
   * Enqueues {@code current} (a live tag or a tombstone) for every matching remote in its own
   * transaction, first due after {@code delay}; for {@code POST /remotes/tags/{tag}}. Returns the
   * number of tasks created or renewed.
   */
  int enqueue(TagRecord current, List<Digest> dependencies, Duration delay);

  /** The task of {@code tag} for each destination it has one for, by destination. */
  List<TaskStatus> status(Tag tag);

  /**
   * Tasks matching {@code filter}, at most {@code limit} (1 to {@value #MAX_PAGE}), starting after
   * the opaque {@code offset} of the previous page. Throws
   * {@link io.buildindex.tagstore.InvalidInputException} for a bad limit or offset.
   */
  TaskPage tasks(TaskFilter filter, int limit, @Nullable String offset);

  /**
   * Makes dead and failed tasks matching {@code filter} due now with a fresh attempt budget, except
   * tasks cancelled because their rule is gone, and closes the circuit breakers of their
   * destinations so that they are attempted at once. Returns how many. Throws
   * {@link io.buildindex.tagstore.InvalidInputException} when the filter's state is neither.
   */
  int retry(TaskFilter filter);

  /**
   * The health of each configured destination (its circuit breaker, recent failures, tasks
   * waiting), in configuration order; empty when replication is disabled.
   */
  default List<DestinationStatus> destinations() {
    return List.of();
  }

  /** Progress of the backfill of each configured remote rule. */
  List<BackfillProgress> backfill();

  /** The verification of each configured remote rule, in configuration order. */
  default List<VerificationProgress> verification() {
    return List.of();
  }

  /** What verification knows of {@code tag} at each destination whose rules match it. */
  default List<VerificationStatus> verification(Tag tag) {
    return List.of();
  }

  /** Every (destination, rule) whose rule matches {@code tag}, in configuration order. */
  List<RuleMatch> match(Tag tag);

  /**
   * Why replication has stopped working although it was started and not closed (a thread of its
   * engine ended); empty while it works. Readiness and the {@code tagreplication_engine_up} gauge
   * report it.
   */
  default Optional<String> failure() {
    return Optional.empty();
  }

  /**
   * Resets tasks left running by a previous process to pending, cancels tasks whose rule is gone,
   * then starts the workers, the backfill, the periodic purge and verification. Call once.
   */
  void start();

  /**
   * Stops claiming, lets running tasks finish for a bounded time and leaves the rest pending (or
   * running, reset at the next start). Call before closing the {@link io.buildindex.database.LocalDb}.
   */
  @Override
  void close();

  /** Replicates nothing and reports no tasks: for nodes and tools without a database. */
  static Replication disabled() {
    return DisabledReplication.INSTANCE;
  }
}
