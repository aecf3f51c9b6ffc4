package io.buildindex.docker;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * A content digest as written in manifests and registry URLs: {@code sha256:<64 lowercase hex>}
 * (or {@code sha512:<128 lowercase hex>}). Immutable.
 *
 * @param algorithm {@code sha256} or {@code sha512}
 * @param hex the lowercase hex encoding of the hash, without the algorithm prefix
 */
public record Digest(String algorithm, String hex) {
  /** Hex length per supported algorithm. */
  private static final Map<String, Integer> HEX_LENGTHS = Map.of("sha256", 64, "sha512", 128);

  public Digest {
    Integer length = HEX_LENGTHS.get(algorithm);
    if (length == null) {
      throw new IllegalArgumentException("unsupported digest algorithm \"" + algorithm + "\" in \""
          + algorithm + ":" + hex + "\" (want sha256 or sha512)");
    }
    if (hex.length() != length || !isLowerHex(hex)) {
      throw new IllegalArgumentException("bad digest \"" + algorithm + ":" + hex + "\" (want " + algorithm
          + ": followed by " + length + " lowercase hex characters)");
    }
  }

  /** Parses {@code sha256:<hex>}; throws {@link IllegalArgumentException} naming {@code text} when malformed. */
  public static Digest parse(String text) {
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("bad digest \"" + text + "\" (want sha256:<64 lowercase hex>)");
    }
    return new Digest(text.substring(0, colon), text.substring(colon + 1));
  }

  /** The sha256 digest of {@code content}. */
  public static Digest sha256(byte[] content) {
    try {
      return new Digest("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** Whether {@code content} hashes to this digest. */
  public boolean matches(byte[] content) {
    try {
      String name = algorithm.equals("sha256") ? "SHA-256" : "SHA-512";
      return HexFormat.of().formatHex(MessageDigest.getInstance(name).digest(content)).equals(hex);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has " + algorithm, e);
    }
  }

  /** {@code sha256:<hex>}, the form registries and Kraken use. */
  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }

  private static boolean isLowerHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }
}
