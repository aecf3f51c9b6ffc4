package io.buildindex.docker;

import io.buildindex.tagstore.Digest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A Kraken origin cluster as this datacenter's origin, used as Kraken's build-index uses its
 * {@code blobclient.ClusterClient}. Namespaces are repositories. Thread-safe.
 */
final class KrakenOrigin implements Origin, ManifestSource {
  /* Design: each operation asks the digest's owners in ring order, moving to the next owner when
   * one fails (5xx, unreachable), as Kraken's ClusterClient does. Replication is Kraken's own:
   * this origin is asked to push each blob to the remote cluster, and answers 202 while it is
   * still fetching the blob from storage, which is polled under the PollPolicy. Kraken moves
   * the bytes, so the summary counts blobs but no bytes. Tags are not Kraken's business: the
   * remote build-index receives them through tag replication. */

  private final KrakenCluster cluster;
  private final Supplier<String> address;
  private final PollPolicy poll;
  private final Sleeper sleeper;
  private final Clock clock;

  /** {@code address} says what {@link #address()} reports (the cluster's DNS name or a live member). */
  KrakenOrigin(KrakenCluster cluster, Supplier<String> address, PollPolicy poll, Sleeper sleeper, Clock clock) {
    this.cluster = cluster;
    this.address = address;
    this.poll = poll;
    this.sleeper = sleeper;
    this.clock = clock;
  }

  @Override
  public boolean exists(String repository, Digest digest) {
    return firstAnswer(digest, owner -> owner.stat(repository, digest));
  }

  @Override
  public String address() {
    return address.get();
  }

  /** Empty while the owner is still fetching the manifest (202) as well as when it has none (404). */
  @Override
  public Optional<FetchedManifest> fetchManifest(String repository, Digest digest) {
    return firstAnswer(digest, owner -> owner.downloadManifest(repository, digest));
  }

  @Override
  public TransferSummary replicate(String repository, String tag, Digest manifest, List<Digest> dependencies,
      String remoteOriginAddress) {
    Instant start = clock.instant();
    List<Digest> blobs = dependencies.isEmpty() ? List.of(manifest) : dependencies;
    for (Digest digest : blobs) {
      replicateBlob(repository, digest, remoteOriginAddress);
    }
    Duration elapsed = Duration.between(start, clock.instant());
    return new TransferSummary(0, blobs.size(), 0, 0, 0, elapsed.isNegative() ? Duration.ZERO : elapsed);
  }

  private void replicateBlob(String repository, Digest digest, String remote) {
    OriginException last = null;
    for (KrakenClient owner : cluster.owners(digest)) {
      try {
        if (pollUntilReady(owner, repository, digest, remote)) {
          return;
        }
        last = new OriginException(owner.address(), 202, "still fetching " + digest + " after "
            + poll.maxAttempts() + " attempts");
      } catch (OriginException e) {
        rethrowClientError(e);
        last = e;
      }
    }
    throw last;
  }

  private boolean pollUntilReady(KrakenClient owner, String repository, Digest digest, String remote) {
    for (int attempt = 1; attempt <= poll.maxAttempts(); attempt++) {
      KrakenClient.Status status = owner.replicateToRemote(repository, digest, remote);
      if (status == KrakenClient.Status.READY) {
        return true;
      }
      if (status == KrakenClient.Status.NOT_FOUND) {
        throw new OriginException(owner.address(), 404, "blob " + digest + " of " + repository + " not found");
      }
      if (attempt < poll.maxAttempts()) {
        pause(poll.delayAfter(attempt), digest);
      }
    }
    return false;
  }

  /** Asks owners in order; the first that answers wins, failures move on to the next. */
  private <T> T firstAnswer(Digest digest, Function<KrakenClient, T> call) {
    OriginException last = null;
    for (KrakenClient owner : cluster.owners(digest)) {
      try {
        return call.apply(owner);
      } catch (OriginException e) {
        rethrowClientError(e);
        last = e;
      }
    }
    throw last;
  }

  /** A 4xx is an answer, not an outage: another owner would say the same. */
  private static void rethrowClientError(OriginException e) {
    if (e.status() >= 400 && e.status() < 500) {
      throw e;
    }
  }

  private void pause(Duration delay, Digest digest) {
    try {
      sleeper.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while replicating " + digest);
    }
  }
}
