package io.buildindex.tagreplication;

/**
 * Copies a tag's blobs from this datacenter's origin to a remote datacenter's origin, before the
 * tag itself is replicated (so the remote never serves a tag whose blobs it cannot find).
 * Implementations must be thread-safe: workers call them concurrently.
 */
@FunctionalInterface
public interface BlobReplicator {
  /** Does nothing: for tags whose blobs are replicated by other means, and for tests. */
  BlobReplicator NONE = request -> Transfer.NONE;

  /**
   * Blocks until every dependency is at the remote origin, and says what it copied. Throws any unchecked exception on
   * failure; the task is then retried with backoff and the failure counted as {@code origin}.
   */
  Transfer replicate(BlobReplication request);

  /**
   * Whether the remote origin still holds the tag's manifest ({@code request.digest()}), so the
   * remote can serve the tag: verification asks this of tags the remote holds, and calls
   * {@link #replicate} when it does not. True when this replicator cannot tell. Throws any
   * unchecked exception when the remote origin cannot be asked.
   */
  default boolean present(BlobReplication request) {
    return true;
  }
}
