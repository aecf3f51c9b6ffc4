package io.buildindex.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A swap between a handshake's choice of alias and its reads of chain and key must not mix generations. */
final class SwappableKeyManagerTest {
  @TempDir Path dir;

  @Test
  void aliasChosenBeforeSwap_chainAndKeyOfThatGeneration() throws Exception {
    TestPki pki = TestPki.create(dir, "test-ca");
    TestPki.Issued first = pki.issue("first", true);
    TestPki.Issued second = pki.issue("second", true);
    SwappableKeyManager keys = new SwappableKeyManager(keyManager(first));

    String before = keys.chooseServerAlias("EC", null, null);
    keys.swap(keyManager(second));
    String after = keys.chooseServerAlias("EC", null, null);

    assertThat(keys.getCertificateChain(before)[0]).isEqualTo(first.certificate());
    assertThat(keys.getPrivateKey(before)).isEqualTo(first.privateKey());
    assertThat(keys.getCertificateChain(after)[0]).isEqualTo(second.certificate());
    assertThat(keys.getPrivateKey(after)).isEqualTo(second.privateKey());
  }

  @Test
  void unknownAlias_noChainNoKey() throws Exception {
    TestPki pki = TestPki.create(dir, "test-ca");
    SwappableKeyManager keys = new SwappableKeyManager(keyManager(pki.issue("first", true)));

    assertThat(keys.getCertificateChain("identity")).isNull();
    assertThat(keys.getPrivateKey("x:identity")).isNull();
    assertThat(keys.getPrivateKey("99:identity")).isNull();
  }

  private static X509ExtendedKeyManager keyManager(TestPki.Issued identity) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    char[] password = "test".toCharArray();
    store.setKeyEntry("identity", identity.privateKey(), password, new Certificate[] {identity.certificate()});
    KeyManagerFactory factory = KeyManagerFactory.getInstance("PKIX");
    factory.init(store, password);
    return (X509ExtendedKeyManager) factory.getKeyManagers()[0];
  }
}
