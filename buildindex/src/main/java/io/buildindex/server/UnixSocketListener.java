package io.buildindex.server;

import io.buildindex.config.TagServerConfig;
import io.buildindex.tls.Tls;
import io.javalin.config.JettyConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;

/**
 * {@code tagserver.listener.net: unix}: HTTP on a unix-domain socket, as Kraken's base config
 * listens behind nginx, plus TCP on {@code --port} when one is given (where Kraken's nginx would
 * listen). Stateless.
 */
final class UnixSocketListener {
  private UnixSocketListener() {}

  /**
   * Adds the connectors to Javalin's Jetty: TCP first when there is one (Javalin reads the port
   * from the first connector), then the socket. Both use Javalin's HTTP configuration, so the
   * socket gets the same URI compliance and limits as TCP. With {@code tls.server} the TCP
   * connector speaks HTTPS; the socket stays plain HTTP (only local processes reach it, as
   * Kraken's nginx did).
   */
  static void addConnectors(JettyConfig jetty, TagServerConfig.Listener listener, Tls tls) {
    if (listener.addr() != null && tls.serverEnabled()) {
      jetty.addConnector((server, http) -> tls.connector(server, http, listener.addr()));
    } else if (listener.addr() != null) {
      jetty.addConnector((server, http) -> {
        ServerConnector tcp = new ServerConnector(server, new HttpConnectionFactory(http));
        tcp.setHost(listener.addr().host().isEmpty() ? null : listener.addr().host());
        tcp.setPort(listener.addr().port());
        return tcp;
      });
    }
    jetty.addConnector((server, http) -> {
      UnixDomainServerConnector socket = new UnixDomainServerConnector(server, new HttpConnectionFactory(http));
      socket.setUnixDomainPath(listener.socket());
      return socket;
    });
  }

  /**
   * Deletes a socket file left by a process that did not close it (kill -9), which would make the
   * bind fail. A socket something still accepts on, and anything that is not a socket (a regular
   * file, a directory), is left for the bind to refuse.
   */
  static void removeStaleSocket(Path socket) {
    try {
      if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)
          && Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()
          && !accepting(socket)) {
        Files.delete(socket);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the stale socket " + socket, e);
    }
  }

  private static boolean accepting(Path socket) {
    try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      return probe.isConnected();
    } catch (IOException e) {
      return false; // refused: nobody listens
    }
  }
}
