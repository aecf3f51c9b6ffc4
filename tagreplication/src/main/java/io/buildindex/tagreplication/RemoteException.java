package io.buildindex.tagreplication;

/** A remote build-index (or the blob copy to its origin) failed an attempt; carries why and where. */
final class RemoteException extends RuntimeException {
  private final String destination;
  private final FailureReason reason;

  RemoteException(String destination, FailureReason reason, String message, Throwable cause) {
    super(destination + ": " + message, cause);
    this.destination = destination;
    this.reason = reason;
  }

  RemoteException(String destination, FailureReason reason, String message) {
    super(destination + ": " + message);
    this.destination = destination;
    this.reason = reason;
  }

  String destination() {
    return destination;
  }

  FailureReason reason() {
    return reason;
  }
}
