package io.buildindex.database;

/** The local database cannot serve: disk full, file unreadable, closed. Maps to 503. */
public final class StoreUnavailableException extends RuntimeException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreUnavailableException(String message) {
    super(message);
  }
}
