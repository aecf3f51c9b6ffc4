package io.buildindex.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Ports on 127.0.0.1 that were free a moment ago. Another process may take one before the caller
 * binds it; fixtures that must choose a port before a child starts retry on new ports when the
 * child reports its port in use.
 */
public final class FreePorts {
  private FreePorts() {}

  /** One port that was free a moment ago. */
  public static int one() {
    return distinct(1).get(0);
  }

  /** {@code n} distinct ports that were free a moment ago (all probed at once, so no repeats). */
  public static List<Integer> distinct(int n) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket s : sockets) {
        try {
          s.close();
        } catch (IOException e) {
          // nothing to do: only probing
        }
      }
    }
  }
}
