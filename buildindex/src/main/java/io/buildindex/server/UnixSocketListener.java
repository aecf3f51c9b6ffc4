package io.buildindex.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;

/**
 * {@code tagserver.listener.net: unix}: HTTP on a unix-domain socket, as Kraken's base config
 * listens behind nginx; {@code BuildIndexApp} adds TCP on {@code --port} when one is given (where
 * Kraken's nginx would listen). The socket stays plain HTTP with {@code tls.server}: only local
 * processes reach it. Stateless.
 */
final class UnixSocketListener {
  private UnixSocketListener() {}

  /** Plain HTTP on the socket at {@code path}, with Javalin's HTTP configuration (the TCP connector's). */
  static UnixDomainServerConnector connector(Server server, HttpConfiguration http, Path path) {
    UnixDomainServerConnector socket = new UnixDomainServerConnector(server, new HttpConnectionFactory(http));
    socket.setUnixDomainPath(path);
    return socket;
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
