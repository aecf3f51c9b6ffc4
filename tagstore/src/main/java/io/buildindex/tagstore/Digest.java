package io.buildindex.tagstore;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * A content digest, {@code <algorithm>:<hex>}: the one digest type of build-index, for the tags it
 * stores and for the manifests and blobs the {@code docker} module reads and copies. Held in the
 * canonical lower-case form, so {@code sha256:AB..} and {@code sha256:ab..} are the same digest.
 *
 * <p>Two ways in, because the two sides accept different text: {@link #parse} is the tag API's
 * (Kraken's {@code core.Digest}: sha256 only, upper-case hex accepted), {@link #parseContent} the
 * distribution spec's for manifests and registry events (sha256 or sha512, lower-case hex only).
 * Both throw {@link InvalidInputException} for the field {@code digest}, which the server answers
 * with a 400, so a bad digest inside a manifest is the client's problem, never a 500.
 *
 * <p>Design: it lives here, with {@link Tag} and {@link Generation}, the values of the wire, and
 * the {@code docker} module depends on this one for it. That is no inversion: the tag store knows
 * nothing of images, while the image code works on the digests tags point to.
 */
public record Digest(String algorithm, String hex) {
  public static final String SHA256 = "sha256";
  public static final String SHA512 = "sha512";
  /** Hex length per supported algorithm. */
  private static final Map<String, Integer> HEX_LENGTHS = Map.of(SHA256, 64, SHA512, 128);

  public Digest {
    Integer length = HEX_LENGTHS.get(algorithm);
    if (length == null) {
      throw new InvalidInputException("digest", "unsupported algorithm \"" + Tag.printable(algorithm) + "\" in \""
          + Tag.printable(algorithm + ":" + hex) + "\" (want sha256 or sha512)");
    }
    if (!isHex(hex, length)) {
      throw new InvalidInputException("digest", "want " + length + " hex characters after " + algorithm + ":, got \""
          + Tag.printable(algorithm + ":" + hex) + "\"");
    }
    // Only ASCII hex gets here, so lower-casing cannot produce anything but [0-9a-f].
    hex = hex.toLowerCase(Locale.ROOT);
    // The constant, not the parsed copy: 48 bytes less for each digest the read cache holds.
    algorithm = algorithm.equals(SHA256) ? SHA256 : SHA512;
  }

  /** Parses {@code sha256:<64 hex>} as the tag API accepts it; throws {@link InvalidInputException} naming the bad text. */
  public static Digest parse(String text) {
    int colon = text.indexOf(':');
    if (colon >= 0 && !text.substring(0, colon).equals(SHA256)) {
      throw new InvalidInputException("digest", "unsupported algorithm \"" + Tag.printable(text.substring(0, colon))
          + "\" (want sha256)");
    }
    return split(text, "want sha256:<64 hex>");
  }

  /**
   * Parses a digest as manifests and registry events write it: {@code sha256:} or {@code sha512:}
   * and lower-case hex, as the distribution spec requires. Throws {@link InvalidInputException}.
   */
  public static Digest parseContent(String text) {
    int colon = text.indexOf(':');
    String hex = colon < 0 ? "" : text.substring(colon + 1);
    if (!hex.equals(hex.toLowerCase(Locale.ROOT))) {
      throw new InvalidInputException("digest", "want lower-case hex, got \"" + Tag.printable(text) + "\"");
    }
    return split(text, "want sha256:<64 hex> or sha512:<128 hex>");
  }

  private static Digest split(String text, String want) {
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw new InvalidInputException("digest", want + ", got \"" + Tag.printable(text) + "\"");
    }
    return new Digest(text.substring(0, colon), text.substring(colon + 1));
  }

  /** The sha256 digest of {@code content}. */
  public static Digest sha256(byte[] content) {
    return new Digest(SHA256, HexFormat.of().formatHex(hash("SHA-256", content)));
  }

  /** Whether {@code content} hashes to this digest. */
  public boolean matches(byte[] content) {
    return HexFormat.of().formatHex(hash(algorithm.equals(SHA256) ? "SHA-256" : "SHA-512", content)).equals(hex);
  }

  private static byte[] hash(String algorithm, byte[] content) {
    try {
      return MessageDigest.getInstance(algorithm).digest(content);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has " + algorithm, e);
    }
  }

  private static boolean isHex(String s, int length) {
    if (s.length() != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return true;
  }

  /** {@code sha256:<hex>}, the form registries and Kraken use. */
  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }
}
