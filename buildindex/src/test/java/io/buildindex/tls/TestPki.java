package io.buildindex.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jspecify.annotations.Nullable;

/**
 * A test CA, made at test time in a directory: it issues EC certificates for servers and
 * clients (both usages, names as given), writes them as PEM files the {@code tls} section can
 * name, and makes client {@link SSLContext}s that trust it. Nothing is checked in. Shared by the
 * TLS tests of this module. Driven by one test thread.
 */
public final class TestPki {
  private static final Duration VALIDITY = Duration.ofDays(1);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final String name;
  private final KeyPair caKeys;
  private final X509Certificate ca;

  /** A certificate and key issued by this CA, and where their PEM files are. */
  public record Issued(Path cert, Path key, X509Certificate certificate, PrivateKey privateKey) {
    public BigInteger serial() {
      return certificate.getSerialNumber();
    }
  }

  private TestPki(Path dir, String name, KeyPair caKeys, X509Certificate ca) {
    this.dir = dir;
    this.name = name;
    this.caKeys = caKeys;
    this.ca = ca;
  }

  /** A new CA named {@code name}, its certificate written to {@code dir/name.pem}. */
  public static TestPki create(Path dir, String name) {
    try {
      Files.createDirectories(dir);
      KeyPair keys = keyPair();
      X500Name subject = new X500Name("CN=" + name);
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(), notBefore(), notAfter(), subject,
          keys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      TestPki pki = new TestPki(dir, name, keys, sign(b, keys.getPrivate()));
      pki.write(pki.caPem(), pem(pki.ca));
      return pki;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path caPem() {
    return dir.resolve(name + ".pem");
  }

  public X509Certificate caCertificate() {
    return ca;
  }

  /**
   * Issues a certificate for {@code file} (written to {@code dir/file.pem} and {@code .key},
   * replacing earlier ones atomically) with subject alternative names {@code dnsNames} and,
   * when {@code withLoopbackIp}, 127.0.0.1.
   */
  public Issued issue(String file, boolean withLoopbackIp, String... dnsNames) {
    return issue(file, null, withLoopbackIp, dnsNames);
  }

  /** As {@link #issue}, the key encrypted (PKCS#8, AES-256-CBC) with {@code passphrase}. */
  public Issued issue(String file, @Nullable String passphrase, boolean withLoopbackIp, String... dnsNames) {
    try {
      KeyPair keys = keyPair();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial(), notBefore(), notAfter(),
          new X500Name("CN=" + file), keys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      GeneralName[] names = new GeneralName[dnsNames.length + (withLoopbackIp ? 1 : 0)];
      for (int i = 0; i < dnsNames.length; i++) {
        names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
      }
      if (withLoopbackIp) {
        names[dnsNames.length] = new GeneralName(GeneralName.iPAddress, "127.0.0.1");
      }
      if (names.length > 0) {
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      X509Certificate cert = sign(b, caKeys.getPrivate());
      Path certFile = dir.resolve(file + ".pem");
      Path keyFile = dir.resolve(file + ".key");
      write(keyFile, passphrase == null ? pem(new JcaPKCS8Generator(keys.getPrivate(), null))
          : pem(new JcaPKCS8Generator(keys.getPrivate(), encryptor(passphrase))));
      write(certFile, pem(cert));
      return new Issued(certFile, keyFile, cert, keys.getPrivate());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code text} to {@code dir/file} and returns the path. */
  public Path file(String file, String text) {
    Path path = dir.resolve(file);
    write(path, text);
    return path;
  }

  /** A TLS context (for a client, or a test server) trusting this CA only, presenting {@code identity} when given. */
  public SSLContext context(@Nullable Issued identity) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers(identity), new javax.net.ssl.TrustManager[] {trustManager()}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * As {@link #context}, but presenting {@code identity} even to a server that asks for
   * certificates of other CAs (a JDK client otherwise sends none then): how a server's check of a
   * foreign client certificate is tested.
   */
  public SSLContext insistentContext(Issued identity) {
    javax.net.ssl.X509ExtendedKeyManager insistent = new javax.net.ssl.X509ExtendedKeyManager() {
      @Override
      public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
        return new String[] {"me"};
      }

      @Override
      public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, java.net.Socket socket) {
        return "me";
      }

      @Override
      public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers,
          javax.net.ssl.SSLEngine engine) {
        return "me";
      }

      @Override
      public String @Nullable [] getServerAliases(String keyType, java.security.Principal[] issuers) {
        return null;
      }

      @Override
      public @Nullable String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket socket) {
        return null;
      }

      @Override
      public X509Certificate[] getCertificateChain(String alias) {
        return new X509Certificate[] {identity.certificate()};
      }

      @Override
      public PrivateKey getPrivateKey(String alias) {
        return identity.privateKey();
      }
    };
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new javax.net.ssl.KeyManager[] {insistent}, new javax.net.ssl.TrustManager[] {trustManager()}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public X509TrustManager trustManager() {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setCertificateEntry("ca", ca);
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(store);
      return (X509TrustManager) factory.getTrustManagers()[0];
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The {@code tls} YAML section: {@code cas} this CA, the given server and client parts (YAML flow maps or null). */
  public String yaml(@Nullable String name, @Nullable Issued server, @Nullable String clientAuth, @Nullable Issued client) {
    StringBuilder b = new StringBuilder("tls:\n");
    if (name != null) {
      b.append("  name: ").append(name).append('\n');
    }
    b.append("  cas: [{path: '").append(caPem()).append("'}]\n");
    if (server != null) {
      b.append("  server: {cert: {path: '").append(server.cert()).append("'}, key: {path: '").append(server.key())
          .append("'}").append(clientAuth == null ? "" : ", client_auth: " + clientAuth).append("}\n");
    }
    if (client != null) {
      b.append("  client: {cert: {path: '").append(client.cert()).append("'}, key: {path: '").append(client.key())
          .append("'}}\n");
    }
    return b.toString();
  }

  private static javax.net.ssl.KeyManager @Nullable [] keyManagers(@Nullable Issued identity)
      throws GeneralSecurityException {
    if (identity == null) {
      return null;
    }
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] password = "test".toCharArray();
      store.setKeyEntry("me", identity.privateKey(), password, new Certificate[] {identity.certificate()});
      KeyManagerFactory factory = KeyManagerFactory.getInstance("PKIX");
      factory.init(store, password);
      return factory.getKeyManagers();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static OutputEncryptor encryptor(String passphrase) {
    try {
      return new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
          .setPRF(PKCS8Generator.PRF_HMACSHA256).setRandom(RANDOM).setPassword(passphrase.toCharArray())
          // BouncyCastle's cipher names need its provider to write; the server reads with the JDK alone.
          .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider()).build();
    } catch (OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair keyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) {
    try {
      return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }

  /** Writes through a temporary file and a rename, so a reader never sees half a file. */
  private void write(Path path, String text) {
    try {
      Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
      Files.writeString(tmp, text, StandardCharsets.US_ASCII);
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(63, RANDOM).add(BigInteger.ONE);
  }

  private static Date notBefore() {
    return Date.from(Instant.now().minus(Duration.ofMinutes(5)));
  }

  private static Date notAfter() {
    return Date.from(Instant.now().plus(VALIDITY));
  }

  @Override
  public String toString() {
    return "TestPki[" + name + ", " + List.of(ca.getSubjectX500Principal()) + "]";
  }
}
