package io.buildindex.docker;

import io.buildindex.tagstore.Digest;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code docker} tag type: a tag depends on its manifest and everything the manifest
 * references, recursively through manifest lists and OCI indexes. Thread-safe.
 */
final class DockerResolver implements ImageDependencies {
  private static final Logger LOG = LoggerFactory.getLogger(DockerResolver.class);
  /** index -> index -> image is the deepest nesting seen in practice; more is a loop or abuse. */
  static final int MAX_DEPTH = 4;

  /* Design: Kraken's resolver lists a manifest list's children but not their configs and layers,
   * so replicating a multi-arch tag left the remote without the images' blobs. Here every child
   * is fetched and walked. The result starts with the tag's digest and follows document order
   * depth-first (child, its config, its layers, next child), de-duplicated: the same input always
   * gives the same list, which the replication task stores.
   *
   * A tag is often put right after its manifest is pushed, and registry replicas or a Kraken
   * origin still fetching from storage may not show it yet, so a missing manifest (or a failing
   * origin) is retried under the PollPolicy before giving up. */

  private final ManifestSource source;
  private final PollPolicy retry;
  private final Sleeper sleeper;

  DockerResolver(ManifestSource source, PollPolicy retry, Sleeper sleeper) {
    this.source = source;
    this.retry = retry;
    this.sleeper = sleeper;
  }

  @Override
  public List<Digest> resolve(String repository, String tag, Digest digest) {
    Set<Digest> out = new LinkedHashSet<>();
    out.add(digest);
    collect(repository, digest, 0, out);
    return List.copyOf(out);
  }

  private void collect(String repository, Digest digest, int depth, Set<Digest> out) {
    if (depth > MAX_DEPTH) {
      throw new InvalidManifestException(digest, "indexes nested more than " + MAX_DEPTH + " deep");
    }
    Manifest manifest = fetch(repository, digest);
    for (Descriptor ref : manifest.references()) {
      if (out.add(ref.digest()) && manifest instanceof ManifestIndex) {
        collect(repository, ref.digest(), depth + 1, out);
      }
    }
  }

  Manifest fetch(String repository, Digest digest) {
    for (int attempt = 1; ; attempt++) {
      Optional<FetchedManifest> found = attempt(repository, digest, attempt == retry.maxAttempts());
      if (found.isPresent()) {
        return found.get().parse(digest);
      }
      if (attempt == retry.maxAttempts()) {
        throw new ManifestNotFoundException(repository, digest, attempt);
      }
      LOG.debug("manifest {} of {} not visible yet (attempt {}), retrying", digest, repository, attempt);
      pause(retry.delayAfter(attempt), digest);
    }
  }

  /** One fetch; an origin failure counts as "not yet" unless it is the last attempt. */
  private Optional<FetchedManifest> attempt(String repository, Digest digest, boolean last) {
    try {
      return source.fetchManifest(repository, digest);
    } catch (OriginException e) {
      if (last) {
        throw e;
      }
      LOG.info("fetching manifest {} of {} failed, retrying: {}", digest, repository, e.getMessage());
      return Optional.empty();
    }
  }

  private void pause(java.time.Duration delay, Digest digest) {
    try {
      sleeper.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while waiting for manifest " + digest);
    }
  }
}
