package io.buildindex.tagstore;

/**
 * Input that breaks the OCI distribution grammar or Kraken's wire format. Carries which field was
 * wrong so the HTTP layer can answer 400 with a message naming it.
 */
public final class InvalidInputException extends RuntimeException {
  private final String field;

  public InvalidInputException(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
