package io.buildindex.tls;

import io.buildindex.config.ConfigException;
import io.buildindex.config.TlsConfig;
import io.buildindex.config.TlsConfig.FileRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;

/**
 * One reading of every file the {@code tls} section names, keyed by the configuration key that
 * names it, with a fingerprint of their contents (what the reloader compares), and the key and
 * trust managers built from exactly these bytes. Immutable.
 */
record TlsFiles(TlsConfig config, Map<String, byte[]> contents, String fingerprint) {
  /** Only protects the in-memory key stores; never written anywhere. */
  private static final char[] IN_MEMORY_PASSWORD = "in-memory".toCharArray();

  /** The managers for each kind of connection, and a line for the log saying which certificates they hold. */
  record Managers(X509ExtendedKeyManager serverKeys, X509ExtendedKeyManager clientKeys,
      X509ExtendedTrustManager peerTrust, X509ExtendedTrustManager registryTrust, String summary) {}

  private record Identity(X509ExtendedKeyManager keys, String summary) {}

  /** Reads every file; throws {@link ConfigException} naming the key of one that cannot be read. */
  static TlsFiles read(TlsConfig config) {
    Map<String, FileRef> refs = new LinkedHashMap<>();
    for (int i = 0; i < config.cas().size(); i++) {
      refs.put("tls.cas[" + i + "].path", config.cas().get(i));
    }
    TlsConfig.ServerConfig server = config.serverEnabled();
    if (server != null) {
      refs.put("tls.server.cert.path", server.cert());
      refs.put("tls.server.key.path", server.key());
      putIfPresent(refs, "tls.server.passphrase.path", server.passphrase());
    }
    TlsConfig.ClientConfig client = config.clientEnabled();
    if (client != null) {
      putIfPresent(refs, "tls.client.cert.path", client.cert());
      putIfPresent(refs, "tls.client.key.path", client.key());
      putIfPresent(refs, "tls.client.passphrase.path", client.passphrase());
    }
    Map<String, byte[]> contents = new LinkedHashMap<>();
    MessageDigest sha256 = sha256();
    refs.forEach((key, ref) -> {
      try {
        byte[] bytes = Files.readAllBytes(ref.path());
        contents.put(key, bytes);
        sha256.update(key.getBytes(StandardCharsets.UTF_8));
        sha256.update(sha256().digest(bytes));
      } catch (IOException e) {
        throw new ConfigException(key, "cannot read " + ref.path().toAbsolutePath() + ": " + e);
      }
    });
    return new TlsFiles(config, contents, HexFormat.of().formatHex(sha256.digest()));
  }

  /**
   * Parses the files; throws {@link ConfigException} naming the key of the first bad one, among
   * them a certificate that is not valid at {@code now} (expired, or not yet valid).
   */
  Managers managers(Instant now) {
    List<X509Certificate> cas = new ArrayList<>();
    for (int i = 0; i < config.cas().size(); i++) {
      cas.addAll(Pem.certificates("tls.cas[" + i + "].path", contents.get("tls.cas[" + i + "].path")));
    }
    Identity server = identity("tls.server", now);
    Identity client = identity("tls.client", now);
    return new Managers(server.keys(), client.keys(), trust(cas, false), trust(cas, true),
        "listener " + server.summary() + "; client " + client.summary() + "; " + cas.size() + " CA certificate(s)");
  }

  /** The certificate chain and key under {@code prefix}, or a key manager that has none. */
  private Identity identity(String prefix, Instant now) {
    byte[] certText = contents.get(prefix + ".cert.path");
    byte[] keyText = contents.get(prefix + ".key.path");
    if (certText == null || keyText == null) {
      return new Identity(keyManager(null, List.of()), "none");
    }
    List<X509Certificate> chain = Pem.certificates(prefix + ".cert.path", certText);
    X509Certificate leaf = chain.get(0);
    // PKIX would quietly never choose it: every handshake would fail with no hint why.
    if (now.isAfter(leaf.getNotAfter().toInstant()) || now.isBefore(leaf.getNotBefore().toInstant())) {
      throw new ConfigException(prefix + ".cert.path", "the certificate (" + leaf.getSubjectX500Principal()
          + ") is valid from " + leaf.getNotBefore().toInstant() + " to " + leaf.getNotAfter().toInstant()
          + ", not now (" + now + ")");
    }
    byte[] passphrase = contents.get(prefix + ".passphrase.path");
    PrivateKey key = Pem.privateKey(prefix + ".key.path", keyText, passphrase == null ? null : chars(passphrase));
    Pem.checkPair(prefix + ".key.path", key, leaf);
    return new Identity(keyManager(key, chain), leaf.getSubjectX500Principal() + " (serial "
        + leaf.getSerialNumber().toString(16) + ", valid until " + leaf.getNotAfter().toInstant() + ")");
  }

  private static X509ExtendedKeyManager keyManager(@Nullable PrivateKey key, List<X509Certificate> chain) {
    try {
      KeyStore store = emptyStore();
      if (key != null) {
        store.setKeyEntry("identity", key, IN_MEMORY_PASSWORD, chain.toArray(new Certificate[0]));
      }
      // PKIX (not SunX509): picks a certificate valid now whose key usage fits the handshake.
      KeyManagerFactory factory = KeyManagerFactory.getInstance("PKIX");
      factory.init(store, IN_MEMORY_PASSWORD);
      for (KeyManager m : factory.getKeyManagers()) {
        if (m instanceof X509ExtendedKeyManager x) {
          return x;
        }
      }
      throw new IllegalStateException("the JDK's PKIX key manager factory made no X509ExtendedKeyManager");
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a key manager: " + e, e);
    }
  }

  /**
   * Trust for outgoing calls and client certificates: {@code cas} alone (the JDK's trusted CAs
   * when there are none); with {@code withSystem}, the JDK's CAs and {@code cas} (for registries,
   * which usually have publicly trusted certificates).
   */
  private static X509ExtendedTrustManager trust(List<X509Certificate> cas, boolean withSystem) {
    try {
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      if (cas.isEmpty()) {
        factory.init((KeyStore) null);
      } else {
        KeyStore store = emptyStore();
        List<X509Certificate> all = new ArrayList<>(cas);
        if (withSystem) {
          all.addAll(Arrays.asList(systemTrust().getAcceptedIssuers()));
        }
        for (int i = 0; i < all.size(); i++) {
          store.setCertificateEntry("ca-" + i, all.get(i));
        }
        factory.init(store);
      }
      return firstX509(factory.getTrustManagers());
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a trust manager: " + e, e);
    }
  }

  private static X509ExtendedTrustManager systemTrust() throws GeneralSecurityException {
    TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
    factory.init((KeyStore) null);
    return firstX509(factory.getTrustManagers());
  }

  private static X509ExtendedTrustManager firstX509(TrustManager[] managers) {
    for (TrustManager m : managers) {
      if (m instanceof X509ExtendedTrustManager x) {
        return x;
      }
    }
    throw new IllegalStateException("the JDK's PKIX trust manager factory made no X509ExtendedTrustManager");
  }

  private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    return store;
  }

  /** A passphrase file's text without its trailing line break. */
  private static char[] chars(byte[] passphrase) {
    String text = new String(passphrase, StandardCharsets.UTF_8);
    return text.replaceAll("[\r\n]+$", "").toCharArray();
  }

  private static void putIfPresent(Map<String, FileRef> refs, String key, @Nullable FileRef ref) {
    if (ref != null) {
      refs.put(key, ref);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
