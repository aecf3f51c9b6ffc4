package io.buildindex.tls;

import io.buildindex.config.ConfigException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.KeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Reads PEM text with the JDK alone: X.509 certificates and PKCS#8 private keys, plain
 * ({@code PRIVATE KEY}) or encrypted with a passphrase ({@code ENCRYPTED PRIVATE KEY}, as
 * {@code openssl pkcs8 -topk8 -v2 aes-256-cbc} writes). Errors are {@link ConfigException}s naming
 * the configuration key the text came from. Stateless.
 */
final class Pem {
  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
  /** Key algorithms a PKCS#8 key may be in; the DER names it, but the JDK wants to be told. */
  private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS");
  private static final byte[] PROBE = "build-index key check".getBytes(StandardCharsets.US_ASCII);

  private Pem() {}

  /** Every {@code CERTIFICATE} block of {@code text}, in order; at least one. */
  static List<X509Certificate> certificates(String key, byte[] text) {
    List<X509Certificate> certs = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (Block b : blocks(text)) {
        if (b.type().equals("CERTIFICATE")) {
          certs.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(b.der())));
        }
      }
    } catch (CertificateException e) {
      throw new ConfigException(key, "not a valid PEM certificate: " + e.getMessage());
    }
    if (certs.isEmpty()) {
      throw new ConfigException(key, "no PEM certificate (-----BEGIN CERTIFICATE-----) in the file");
    }
    return List.copyOf(certs);
  }

  /** The one private key of {@code text}, decrypted with {@code passphrase} when it is encrypted. */
  static PrivateKey privateKey(String key, byte[] text, char @Nullable [] passphrase) {
    for (Block b : blocks(text)) {
      switch (b.type()) {
        case "PRIVATE KEY" -> {
          return decode(key, new PKCS8EncodedKeySpec(b.der()));
        }
        case "ENCRYPTED PRIVATE KEY" -> {
          if (passphrase == null) {
            throw new ConfigException(key, "the key is encrypted: give its passphrase file");
          }
          return decode(key, decrypt(key, b.der(), passphrase));
        }
        case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> throw new ConfigException(key, "a " + b.type()
            + " (PKCS#1/SEC1) is not read: convert it to PKCS#8 with `openssl pkcs8 -topk8 -nocrypt`");
        default -> {
          // parameters, certificates: not the key
        }
      }
    }
    throw new ConfigException(key, "no PEM private key (-----BEGIN PRIVATE KEY-----) in the file");
  }

  /** Throws naming {@code key} unless {@code privateKey} signs what {@code cert}'s public key verifies. */
  static void checkPair(String key, PrivateKey privateKey, X509Certificate cert) {
    String algorithm = switch (privateKey.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "Ed448", "EdDSA" -> privateKey.getAlgorithm();
      default -> null; // RSASSA-PSS needs parameters; the handshake will tell
    };
    if (algorithm == null) {
      return;
    }
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(PROBE);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(cert.getPublicKey());
      verifier.update(PROBE);
      if (verifier.verify(signature)) {
        return;
      }
    } catch (GeneralSecurityException e) {
      // a key of another algorithm than the certificate's: a mismatch too
    }
    throw new ConfigException(key, "the key does not belong to the certificate (" + cert.getSubjectX500Principal() + ")");
  }

  private static PrivateKey decode(String key, KeySpec spec) {
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
        // try the next algorithm
      }
    }
    throw new ConfigException(key, "not a PKCS#8 RSA, EC or EdDSA private key");
  }

  private static PKCS8EncodedKeySpec decrypt(String key, byte[] der, char[] passphrase) {
    try {
      EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
      // For PBES2 the JDK names the whole scheme, e.g. PBEWithHmacSHA256AndAES_256.
      String scheme = info.getAlgParameters() == null ? info.getAlgName() : info.getAlgParameters().toString();
      Cipher cipher = Cipher.getInstance(scheme);
      cipher.init(Cipher.DECRYPT_MODE, SecretKeyFactory.getInstance(scheme).generateSecret(new PBEKeySpec(passphrase)),
          info.getAlgParameters());
      return info.getKeySpec(cipher);
    } catch (java.io.IOException | GeneralSecurityException e) {
      throw new ConfigException(key, "cannot decrypt the key (wrong passphrase or unsupported scheme): " + e.getMessage());
    }
  }

  private record Block(String type, byte[] der) {}

  private static List<Block> blocks(byte[] text) {
    Matcher m = BLOCK.matcher(new String(text, StandardCharsets.US_ASCII));
    List<Block> blocks = new ArrayList<>();
    while (m.find()) {
      try {
        blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
      } catch (IllegalArgumentException e) {
        // not base64: skipped, and reported as "no certificate/key" when nothing else is found
      }
    }
    return blocks;
  }
}
