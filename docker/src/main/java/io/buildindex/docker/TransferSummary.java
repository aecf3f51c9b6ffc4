package io.buildindex.docker;

import java.time.Duration;

/**
 * What one {@link Origin#replicate replication} did, for the task status: bytes streamed and how
 * each blob was handled. Immutable.
 *
 * @param bytesCopied bytes streamed from this origin to the remote one (0 for Kraken origins,
 *     which copy between themselves)
 * @param blobsCopied blobs uploaded (Kraken: blobs the origin was asked to replicate)
 * @param blobsSkipped blobs the destination already had
 * @param blobsMounted blobs mounted from another repository of the same registry, without copying
 * @param manifestsPut manifest PUTs (by digest and by tag)
 * @param duration wall time of the whole replication
 */
public record TransferSummary(long bytesCopied, int blobsCopied, int blobsSkipped, int blobsMounted,
    int manifestsPut, Duration duration) {
  /** Nothing transferred; what {@link Origin#none()} returns. */
  public static final TransferSummary EMPTY = new TransferSummary(0, 0, 0, 0, 0, Duration.ZERO);

  public TransferSummary {
    if (bytesCopied < 0 || blobsCopied < 0 || blobsSkipped < 0 || blobsMounted < 0 || manifestsPut < 0) {
      throw new IllegalArgumentException("negative count in summary: bytes=" + bytesCopied + " copied="
          + blobsCopied + " skipped=" + blobsSkipped + " mounted=" + blobsMounted + " manifests=" + manifestsPut);
    }
    if (duration.isNegative()) {
      throw new IllegalArgumentException("negative duration: " + duration);
    }
  }

  /** Average transfer rate over {@link #duration()}, 0 when nothing took time. */
  public double bytesPerSecond() {
    long nanos = duration.toNanos();
    return nanos == 0 ? 0 : bytesCopied * 1e9 / nanos;
  }
}
