package io.buildindex.tagstore;

/** A content digest, {@code sha256:} followed by 64 lowercase hex characters. */
public record Digest(String algorithm, String hex) {
  public static final String SHA256 = "sha256";

  public Digest {
    if (!SHA256.equals(algorithm)) {
      throw new InvalidInputException("digest", "unsupported algorithm \"" + Tag.printable(algorithm) + "\" (want sha256)");
    }
    if (!isHex64(hex)) {
      throw new InvalidInputException("digest", "want 64 lowercase hex characters after sha256:, got \"" + Tag.printable(hex) + "\"");
    }
  }

  /** Parses {@code sha256:<64 hex>}; throws {@link InvalidInputException} naming the bad text. */
  public static Digest parse(String text) {
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw new InvalidInputException("digest", "want sha256:<64 hex>, got \"" + Tag.printable(text) + "\"");
    }
    return new Digest(text.substring(0, colon), text.substring(colon + 1));
  }

  private static boolean isHex64(String s) {
    if (s.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }
}
