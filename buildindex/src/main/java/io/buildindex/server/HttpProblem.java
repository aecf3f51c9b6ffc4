package io.buildindex.server;

/**
 * A request the server refuses with a specific 4xx/503 status and message (auth failures, missing
 * tags, bad query parameters). Mapped in {@link ErrorMapping}.
 */
final class HttpProblem extends RuntimeException {
  private final int status;

  HttpProblem(int status, String message) {
    super(message, null, false, false); // control flow, not a fault: no stack trace
    this.status = status;
  }

  static HttpProblem notFound(String message) {
    return new HttpProblem(404, message);
  }

  static HttpProblem badRequest(String message) {
    return new HttpProblem(400, message);
  }

  int status() {
    return status;
  }
}
