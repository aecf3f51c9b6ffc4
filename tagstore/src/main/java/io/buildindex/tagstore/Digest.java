package io.buildindex.tagstore;

/**
 * A content digest, {@code sha256:} followed by 64 hex characters. Upper-case hex is accepted (as
 * Kraken's {@code core.Digest} does) and held in the canonical lower-case form, so
 * {@code sha256:AB..} and {@code sha256:ab..} are the same digest.
 */
public record Digest(String algorithm, String hex) {
  public static final String SHA256 = "sha256";

  public Digest {
    if (!SHA256.equals(algorithm)) {
      throw new InvalidInputException("digest", "unsupported algorithm \"" + Tag.printable(algorithm) + "\" (want sha256)");
    }
    if (!isHex64(hex)) {
      throw new InvalidInputException("digest", "want 64 hex characters after sha256:, got \"" + Tag.printable(hex) + "\"");
    }
    // Only ASCII hex gets here, so lower-casing cannot produce anything but [0-9a-f].
    hex = hex.toLowerCase(java.util.Locale.ROOT);
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
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
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
