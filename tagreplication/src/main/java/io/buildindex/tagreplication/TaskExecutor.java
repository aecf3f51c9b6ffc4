package io.buildindex.tagreplication;

import io.buildindex.tagstore.Digest;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one attempt of a task against its remote: look at what the remote holds, copy the blobs
 * through the origin if needed, then write the tag (or its tombstone) carrying the generation.
 * Thread-safe; workers share it.
 *
 * <p>Design: Kraken ends a task when the remote merely has the tag; here the remote must hold
 * this digest at this generation or newer, so a re-pointed tag is replicated and a newer state on
 * the remote is never overwritten (it ends the task as superseded, without copying blobs). Writes
 * are idempotent (same generation, same outcome), so an attempt repeated after a crash is safe.
 */
final class TaskExecutor {
  private static final Logger log = LoggerFactory.getLogger(TaskExecutor.class);

  private final Map<String, RemoteClient> remotes;
  private final BlobReplicator blobs;

  /** {@code remotes} by destination ({@link RemoteClient#destination()}). */
  TaskExecutor(Map<String, RemoteClient> remotes, BlobReplicator blobs) {
    this.remotes = Map.copyOf(remotes);
    this.blobs = blobs;
  }

  TaskResult execute(ClaimedTask task) {
    try {
      RemoteClient remote = Objects.requireNonNull(remotes.get(task.destination()), task.destination());
      return task.delete() ? delete(remote, task) : put(remote, task);
    } catch (RemoteException e) {
      return new TaskResult.Failed(e.reason(), e.getMessage());
    } catch (RuntimeException e) {
      log.error("{} failed unexpectedly", task, e);
      return new TaskResult.Failed(FailureReason.INTERNAL, String.valueOf(e));
    }
  }

  private TaskResult put(RemoteClient remote, ClaimedTask task) {
    Digest digest = Objects.requireNonNull(task.digest());
    RemoteClient.RemoteTag there = remote.get(task.tag());
    if (digest.equals(there.digest()) && there.generation().compareTo(task.generation()) >= 0) {
      return TaskResult.DONE;
    }
    if (there.generation().isNewerThan(task.generation())) {
      return TaskResult.SUPERSEDED;
    }
    Transfer transfer = copyBlobs(remote, task, digest);
    RemoteClient.RemoteWrite write = remote.put(task.tag(), digest, task.generation());
    return write.superseded() ? TaskResult.SUPERSEDED : new TaskResult.Done(false, transfer);
  }

  private TaskResult delete(RemoteClient remote, ClaimedTask task) {
    RemoteClient.RemoteTag there = remote.get(task.tag());
    boolean hasTombstone = there.digest() == null && there.generation().compareTo(task.generation()) >= 0;
    if (hasTombstone) {
      return TaskResult.DONE;
    }
    if (there.generation().isNewerThan(task.generation())) {
      return TaskResult.SUPERSEDED;
    }
    return result(remote.delete(task.tag(), task.generation()));
  }

  private Transfer copyBlobs(RemoteClient remote, ClaimedTask task, Digest digest) {
    String origin = remote.origin();
    BlobReplication request = new BlobReplication(task.tag(), digest, task.dependencies(), remote.address(), origin);
    try {
      return blobs.replicate(request);
    } catch (RuntimeException e) {
      throw new RemoteException(task.destination(), FailureReason.ORIGIN,
          "copying blobs to origin \"" + origin + "\": " + e.getMessage(), e);
    }
  }

  private static TaskResult result(RemoteClient.RemoteWrite write) {
    return write.superseded() ? TaskResult.SUPERSEDED : TaskResult.DONE;
  }
}
