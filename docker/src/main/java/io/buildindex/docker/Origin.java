package io.buildindex.docker;

import io.buildindex.tagstore.Digest;
import java.util.List;

/**
 * This datacenter's blob store: an OCI distribution registry or a Kraken origin cluster. Build
 * one with {@link Origins#create}. Implementations are thread-safe; every method may block on the
 * network.
 */
public interface Origin {
  /**
   * Whether the origin holds {@code digest} (a blob or a manifest) in {@code repository}.
   *
   * @throws OriginException when the origin cannot tell (unreachable, 5xx, credentials refused)
   */
  boolean exists(String repository, Digest digest);

  /**
   * What {@code GET /origin} returns, so that another datacenter can name this origin as its
   * replication target: the registry URL, or the Kraken origin {@code host:port}.
   */
  String address();

  /**
   * Copies {@code repository:tag -> manifest} and its {@code dependencies} to the origin of
   * another datacenter, whose {@link #address()} is {@code remoteOriginAddress}. Idempotent:
   * blobs the destination already has are skipped, so a retried task costs only the HEADs.
   *
   * @throws OriginException when either origin fails (the caller retries)
   * @throws InvalidManifestException when the manifest cannot be walked
   */
  TransferSummary replicate(String repository, String tag, Digest manifest, List<Digest> dependencies,
      String remoteOriginAddress);

  /**
   * Whether the origin of another datacenter, {@code remoteOriginAddress}, still holds manifest
   * {@code manifest} in (its name for) {@code repository}: what verification asks before trusting
   * a tag replicated there. True when this kind of origin cannot tell.
   *
   * @throws OriginException when the remote origin cannot be asked
   */
  default boolean hasManifestAt(String remoteOriginAddress, String repository, Digest manifest) {
    return true;
  }

  /**
   * No origin configured (development, or blobs live elsewhere): every blob exists, the address
   * is empty, and replication transfers nothing.
   */
  static Origin none() {
    return NoOrigin.INSTANCE;
  }
}
