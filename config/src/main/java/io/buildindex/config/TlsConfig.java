package io.buildindex.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The optional {@code tls} section, in Kraken's shape: {@code name} is the server name that
 * outgoing calls verify (every node's certificate carries it, whatever address it is dialed
 * at), {@code cas} the trusted CAs (for outgoing calls and for client certificates),
 * {@code server} the listener's certificate and {@code client} the certificate presented on
 * outgoing calls. Absent means plain HTTP everywhere. Files must exist when the configuration is
 * loaded; that they parse as PEM is checked at start-up, with errors naming the same keys.
 */
public record TlsConfig(String name, List<FileRef> cas, @Nullable ServerConfig server, @Nullable ClientConfig client) {
  public TlsConfig {
    name = Validate.orDefault(name, "");
    cas = List.copyOf(Validate.orDefault(cas, List.of()));
    if (server != null && server.enabled() && server.clientAuth() != ClientAuth.NONE && cas.isEmpty()) {
      throw new ConfigException("cas", "is required when server.client_auth is " + server.clientAuth().text()
          + " (client certificates are checked against it)");
    }
  }

  /** The listener's TLS, or null when it speaks plain HTTP. */
  public @Nullable ServerConfig serverEnabled() {
    return server != null && server.enabled() ? server : null;
  }

  /** The outgoing calls' TLS, or null when they go over plain HTTP. */
  public @Nullable ClientConfig clientEnabled() {
    return client != null && client.enabled() ? client : null;
  }

  /** Kraken's {@code {path: ...}}: a file read at start-up and again when it changes. */
  public record FileRef(Path path) {
    public FileRef {
      if (path == null || path.toString().isBlank()) {
        throw new ConfigException("path", "is required");
      }
      if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
        throw new ConfigException("path", "no readable file at " + path.toAbsolutePath());
      }
    }
  }

  /** Whether the listener asks callers for a certificate signed by {@code cas}. */
  public enum ClientAuth {
    /** No client certificate asked for. */
    NONE,
    /** Asked for; a caller without one is let in (its token still decides), one with a bad one is refused. */
    REQUEST,
    /** A caller without a certificate signed by {@code cas} is refused at the handshake. */
    REQUIRE;

    @JsonCreator
    static ClientAuth parse(String text) {
      try {
        return valueOf(text.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("", "unknown client_auth \"" + text + "\" (want none, request or require)");
      }
    }

    String text() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * {@code server: {disabled, cert, key, passphrase, client_auth}}: the listener's certificate
   * chain and PKCS#8 key (encrypted when {@code passphrase} names the file holding it).
   */
  public record ServerConfig(Boolean disabled, FileRef cert, FileRef key, @Nullable FileRef passphrase,
      ClientAuth clientAuth) {
    public ServerConfig {
      disabled = Validate.orDefault(disabled, false);
      clientAuth = Validate.orDefault(clientAuth, ClientAuth.NONE);
      if (!disabled && cert == null) {
        throw new ConfigException("cert", "is required (or set disabled: true)");
      }
      if (!disabled && key == null) {
        throw new ConfigException("key", "is required (or set disabled: true)");
      }
    }

    boolean enabled() {
      return !disabled;
    }
  }

  /**
   * {@code client: {disabled, cert, key, passphrase}}: outgoing calls to neighbors, remotes and
   * Kraken origins use HTTPS, presenting this certificate when given (both cert and key, or
   * neither: then no client certificate is presented).
   */
  public record ClientConfig(Boolean disabled, @Nullable FileRef cert, @Nullable FileRef key,
      @Nullable FileRef passphrase) {
    public ClientConfig {
      disabled = Validate.orDefault(disabled, false);
      if ((cert == null) != (key == null)) {
        throw new ConfigException(cert == null ? "cert" : "key", "give both cert and key, or neither");
      }
    }

    boolean enabled() {
      return !disabled;
    }
  }
}
