package io.buildindex.tagreplication;

import java.util.Locale;

/** Why an attempt failed; the lowercase name is the metric name and the prefix of {@code last_error}. */
enum FailureReason {
  /** The remote could not be reached: refused, reset, unknown host. */
  CONNECT(true),
  /** The remote did not answer in time. */
  TIMEOUT(true),
  /** The remote answered 5xx. */
  HTTP_5XX(true),
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

  String metricName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
