package io.buildindex.tagreplication;

import io.buildindex.config.HostPort;
import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Tag;
import java.util.List;

/**
 * What must reach the remote datacenter's origin before its build-index may learn the tag: the
 * blobs {@code dependencies} of {@code tag -> digest}.
 *
 * @param remoteBuildIndex the remote build-index the tag goes to
 * @param remoteOrigin what that build-index answered to {@code GET /origin} (may be empty)
 */
public record BlobReplication(
    Tag tag, Digest digest, List<Digest> dependencies, HostPort remoteBuildIndex, String remoteOrigin) {
  public BlobReplication {
    dependencies = List.copyOf(dependencies);
  }
}
