package io.buildindex.docker.notifications;

/**
 * A notification request that is not a Docker Distribution event envelope: wrong content type,
 * malformed JSON, or a push event without the fields it must have. The sender's fault (400/415).
 */
public final class BadNotificationException extends RuntimeException {
  private final String problem;

  public BadNotificationException(String problem) {
    super("bad registry notification: " + problem);
    this.problem = problem;
  }

  /** What is wrong, e.g. {@code events[1].target.digest: bad digest "sha256:xyz"}. */
  public String problem() {
    return problem;
  }
}
