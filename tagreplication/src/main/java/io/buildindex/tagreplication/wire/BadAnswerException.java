package io.buildindex.tagreplication.wire;

import java.io.IOException;

/**
 * Another node answered something this protocol does not allow: a body over the route's limit, a
 * malformed digest or generation. An {@link IOException}, since to the caller it is a failed call.
 */
public final class BadAnswerException extends IOException {
  public BadAnswerException(String message) {
    super(message);
  }
}
