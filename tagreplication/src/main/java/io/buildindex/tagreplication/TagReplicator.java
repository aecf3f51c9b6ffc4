package io.buildindex.tagreplication;

import io.buildindex.tagreplication.wire.TagGet.TagState;
import io.buildindex.tagstore.Digest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replicates tags to their remotes, one attempt of a task (or of a batch) at a time: look at what
 * the remote holds, copy the blobs through the origin if needed, then write the tag (or its
 * tombstone) carrying the generation.
 * Thread-safe; workers share it.
 *
 * <p>Design: Kraken ends a task when the remote merely has the tag; here the remote must hold
 * this digest at this generation or newer, so a re-pointed tag is replicated and a newer state on
 * the remote is never overwritten (it ends the task as superseded, without copying blobs). Writes
 * are idempotent (same generation, same outcome), so an attempt repeated after a crash is safe.
 *
 * <p>When no blobs are to be copied, tasks of one destination go in batches ({@link WriteBatch}):
 * the remote makes the same comparison per write, so a batch is the lookup and the write of many
 * tasks in one request. Remotes that do not serve batches get one task per request.
 */
final class TagReplicator {
  private static final Logger log = LoggerFactory.getLogger(TagReplicator.class);

  private final Map<String, RemoteClient> remotes;
  private final BlobReplicator blobs;

  /** {@code remotes} by destination ({@link RemoteClient#destination()}). */
  TagReplicator(Map<String, RemoteClient> remotes, BlobReplicator blobs) {
    this.remotes = Map.copyOf(remotes);
    this.blobs = blobs;
  }

  /** Most tasks of {@code destination} one {@link #replicate(List)} should carry. */
  int batchLimit(String destination) {
    return batches(remote(destination)) ? WriteBatch.MAX_WRITES : 1;
  }

  /* Blob copies go task by task (each its own transfer); only then may the tag writes share a request. */
  private boolean batches(RemoteClient remote) {
    return blobs == BlobReplicator.NONE && remote.batchSupported();
  }

  /** Attempts {@code tasks} (all of one destination); a result per task, in order. Never throws. */
  List<TaskResult> replicate(List<ClaimedTask> tasks) {
    if (tasks.isEmpty()) {
      return List.of();
    }
    RemoteClient remote = remote(tasks.get(0).destination());
    if (batches(remote)) {
      Optional<List<TaskResult>> results = batch(remote, tasks);
      if (results.isPresent()) {
        return results.get();
      }
    }
    return tasks.stream().map(this::replicate).toList();
  }

  /** One request for all of {@code tasks}; empty when the remote does not serve batches. */
  private Optional<List<TaskResult>> batch(RemoteClient remote, List<ClaimedTask> tasks) {
    try {
      List<WriteBatch.Write> writes = tasks.stream().map(t -> new WriteBatch.Write(t.tag().toString(),
          t.digest() == null ? null : t.digest().toString(), t.generation().value())).toList();
      return remote.writeBatch(writes).map(results -> {
        List<TaskResult> out = new ArrayList<>(results.size());
        for (int i = 0; i < results.size(); i++) {
          out.add(result(remote, tasks.get(i), results.get(i)));
        }
        return out;
      });
    } catch (RemoteException e) {
      return Optional.of(Collections.<TaskResult>nCopies(tasks.size(), new TaskResult.Failed(e.reason(), e.getMessage())));
    } catch (RuntimeException e) {
      log.error("a batch of {} tasks to {} failed unexpectedly", tasks.size(), remote.destination(), e);
      return Optional.of(Collections.<TaskResult>nCopies(tasks.size(), new TaskResult.Failed(FailureReason.INTERNAL, String.valueOf(e))));
    }
  }

  private static TaskResult result(RemoteClient remote, ClaimedTask task, WriteBatch.Result r) {
    if (r.status() != null) {
      FailureReason reason = FailureReason.ofStatus(r.status());
      return new TaskResult.Failed(reason, "POST " + WriteBatch.PATH + ": " + task.tag() + " answered " + r.status()
          + (r.error() == null ? "" : ": " + r.error()));
    }
    String outcome = r.outcome() == null ? "" : r.outcome();
    return switch (outcome) {
      case "applied", "unchanged" -> TaskResult.DONE;
      case "superseded" -> TaskResult.SUPERSEDED;
      default -> new TaskResult.Failed(FailureReason.PROTOCOL, "POST " + WriteBatch.PATH + " to " + remote.destination()
          + ": result for " + task.tag() + " has neither a known outcome nor a status: " + r);
    };
  }

  private RemoteClient remote(String destination) {
    return Objects.requireNonNull(remotes.get(destination), destination);
  }

  TaskResult replicate(ClaimedTask task) {
    try {
      RemoteClient remote = remote(task.destination());
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
    TagState there = remote.get(task.tag());
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
    TagState there = remote.get(task.tag());
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
