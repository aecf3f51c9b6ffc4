package io.buildindex.tagreplication;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every blob replication request; can be made to fail. Thread-safe. */
final class RecordingBlobReplicator implements BlobReplicator {
  private final List<BlobReplication> requests = new CopyOnWriteArrayList<>();
  private volatile boolean failing;

  @Override
  public Transfer replicate(BlobReplication request) {
    if (failing) {
      throw new IllegalStateException("origin unreachable");
    }
    requests.add(request);
    return new Transfer(1234, java.time.Duration.ofMillis(10));
  }

  void failing(boolean failing) {
    this.failing = failing;
  }

  List<BlobReplication> requests() {
    return List.copyOf(requests);
  }
}
