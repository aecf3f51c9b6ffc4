package io.buildindex.docker;

import io.buildindex.tagstore.Digest;

/**
 * A manifest exists but cannot be resolved: malformed JSON, an unknown media type, or a Docker
 * schema1 manifest (unsupported). The client's fault (the server answers 4xx). Carries the
 * manifest digest and the problem.
 */
public final class InvalidManifestException extends RuntimeException {
  private final Digest digest;
  private final String problem;

  public InvalidManifestException(Digest digest, String problem) {
    super("manifest " + digest + ": " + problem);
    this.digest = digest;
    this.problem = problem;
  }

  public Digest digest() {
    return digest;
  }

  /** What is wrong, without the digest, e.g. {@code unsupported media type "text/html"}. */
  public String problem() {
    return problem;
  }
}
