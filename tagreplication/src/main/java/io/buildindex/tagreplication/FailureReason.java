package io.buildindex.tagreplication;

import java.util.Locale;

/** Why an attempt failed; the lowercase name is the metric name and the prefix of {@code last_error}. */
enum FailureReason {
  /** The remote could not be reached: refused, reset, unknown host. */
  CONNECT(true),
  /** The remote did not answer in time. */
  TIMEOUT(true),
  /** The remote answered 5xx (but 503, {@link #THROTTLED}). */
  HTTP_5XX(true),
  /**
   * The remote pushed back: 429 or 503. Not a hard failure (the breaker does not count it): the
   * remote is up but has more than it can take, so the destination's window shrinks and the tasks
   * wait for their retry.
   */
  THROTTLED(false),
  /** The remote refused this request (4xx): a problem of the task, not of the remote. */
  HTTP_4XX(false),
  /** The remote answered something the wire contract does not allow. */
  PROTOCOL(false),
  /** Asking the remote for its origin or copying blobs to it failed. */
  ORIGIN(true),
  /** The remote rule that created the task is gone. */
  CANCELLED(false),
  /** A bug or an unexpected exception in this node. */
  INTERNAL(false);

  /** Whether the failure says the destination is unwell (counts towards its circuit breaker). */
  final boolean destinationFault;

  FailureReason(boolean destinationFault) {
    this.destinationFault = destinationFault;
  }

  /** Whether the destination's congestion window shrinks on this failure: push-back, or the destination unwell. */
  boolean slowsDown() {
    return destinationFault || this == THROTTLED;
  }

  /** The reason for a failed answer of HTTP {@code status} (4xx or 5xx). */
  static FailureReason ofStatus(int status) {
    if (status == 429 || status == 503) {
      return THROTTLED;
    }
    return status >= 500 ? HTTP_5XX : HTTP_4XX;
  }

  String metricName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
