package io.buildindex.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.jspecify.annotations.Nullable;

/**
 * A key manager whose certificate and key can be replaced while connections are being made: an
 * {@link javax.net.ssl.SSLContext} built over it serves the new certificate from the next
 * handshake on, without a restart. Thread-safe.
 */
final class SwappableKeyManager extends X509ExtendedKeyManager {
  /* Design: a handshake first chooses an alias, then asks for that alias's chain and key in
   * separate calls. Were those answered by whichever delegate is current, a swap in between would
   * pair the old certificate with the new key (the peer sees "Invalid CertificateVerify
   * signature"). So the aliases handed out carry the generation of the delegate that chose them
   * ("3:identity"), and the chain and key come from that same delegate. A few earlier generations
   * are kept for handshakes still in flight; rotations are hours apart, handshakes milliseconds. */

  /** Generations kept for handshakes that chose their alias before a swap. */
  private static final int RETAINED = 4;

  private final Map<Long, X509ExtendedKeyManager> generations = new ConcurrentHashMap<>();
  private volatile long current;

  SwappableKeyManager(X509ExtendedKeyManager initial) {
    generations.put(0L, initial);
  }

  synchronized void swap(X509ExtendedKeyManager next) {
    long generation = current + 1;
    generations.put(generation, next);
    current = generation;
    generations.remove(generation - RETAINED);
  }

  @Override
  public String @Nullable [] getClientAliases(String keyType, Principal[] issuers) {
    long g = current;
    return tag(g, generations.get(g).getClientAliases(keyType, issuers));
  }

  @Override
  public @Nullable String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    long g = current;
    return tag(g, generations.get(g).chooseClientAlias(keyType, issuers, socket));
  }

  @Override
  public @Nullable String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    long g = current;
    return tag(g, generations.get(g).chooseEngineClientAlias(keyType, issuers, engine));
  }

  @Override
  public String @Nullable [] getServerAliases(String keyType, Principal[] issuers) {
    long g = current;
    return tag(g, generations.get(g).getServerAliases(keyType, issuers));
  }

  @Override
  public @Nullable String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    long g = current;
    return tag(g, generations.get(g).chooseServerAlias(keyType, issuers, socket));
  }

  @Override
  public @Nullable String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    long g = current;
    return tag(g, generations.get(g).chooseEngineServerAlias(keyType, issuers, engine));
  }

  @Override
  public X509Certificate @Nullable [] getCertificateChain(String alias) {
    int colon = alias.indexOf(':');
    X509ExtendedKeyManager delegate = colon < 0 ? null : generations.get(generation(alias, colon));
    return delegate == null ? null : delegate.getCertificateChain(alias.substring(colon + 1));
  }

  @Override
  public @Nullable PrivateKey getPrivateKey(String alias) {
    int colon = alias.indexOf(':');
    X509ExtendedKeyManager delegate = colon < 0 ? null : generations.get(generation(alias, colon));
    return delegate == null ? null : delegate.getPrivateKey(alias.substring(colon + 1));
  }

  private static long generation(String alias, int colon) {
    try {
      return Long.parseLong(alias, 0, colon, 10);
    } catch (NumberFormatException e) {
      return -1; // not an alias of ours: no such generation
    }
  }

  private static @Nullable String tag(long generation, @Nullable String alias) {
    return alias == null ? null : generation + ":" + alias;
  }

  private static String @Nullable [] tag(long generation, String @Nullable [] aliases) {
    if (aliases == null) {
      return null;
    }
    String[] tagged = new String[aliases.length];
    for (int i = 0; i < aliases.length; i++) {
      tagged[i] = generation + ":" + aliases[i];
    }
    return tagged;
  }
}
