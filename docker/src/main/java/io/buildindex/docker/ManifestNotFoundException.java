package io.buildindex.docker;

import io.buildindex.tagstore.Digest;

/**
 * A tag's manifest never became visible in the origin, even after retrying: the tag points at
 * something that was not pushed (the server answers 404/422). Carries the repository and digest.
 */
public final class ManifestNotFoundException extends RuntimeException {
  private final String repository;
  private final Digest digest;

  public ManifestNotFoundException(String repository, Digest digest, int attempts) {
    super("manifest " + digest + " not found in repository \"" + repository + "\" after " + attempts
        + (attempts == 1 ? " attempt" : " attempts") + " (was it pushed before the tag was put?)");
    this.repository = repository;
    this.digest = digest;
  }

  public String repository() {
    return repository;
  }

  public Digest digest() {
    return digest;
  }
}
