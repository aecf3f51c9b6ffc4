package io.buildindex.server;

import io.buildindex.testing.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A TCP proxy on 127.0.0.1 in front of a {@link ReplicationNode}, which a test takes down (new
 * connections refused, open ones cut) and brings back up on the same port within milliseconds:
 * an outage of a remote without restarting its JVM. Thread-safe.
 */
final class ReplicationProxy implements AutoCloseable {
  private final int port = FreePorts.one();
  private final int target;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private @Nullable ServerSocket listener;

  ReplicationProxy(ReplicationNode target) {
    this.target = target.port();
  }

  /** {@code host:port} for the {@code remotes} section. */
  String address() {
    return "127.0.0.1:" + port;
  }

  /** The {@code remotes} section replicating tags that match {@code regex} through this proxy. */
  String asRemote(String regex) {
    return ReplicationNode.remotes(address(), regex);
  }

  /** Accepts connections again and forwards them to the target. */
  synchronized void up() {
    if (listener != null) {
      return;
    }
    try {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      listener = s;
      Thread.ofVirtual().name("proxy-accept-" + port).start(() -> accept(s));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + port, e);
    }
  }

  /** Refuses new connections and cuts every open one. */
  synchronized void down() {
    closeQuietly(listener);
    listener = null;
    open.forEach(ReplicationProxy::closeQuietly);
    open.clear();
  }

  private void accept(ServerSocket s) {
    while (!s.isClosed()) {
      Socket client;
      try {
        client = s.accept();
      } catch (IOException e) {
        return; // closed by down()
      }
      try {
        Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
        open.add(client);
        open.add(server);
        pipe(client, server);
        pipe(server, client);
      } catch (IOException e) {
        closeQuietly(client); // the target is down too: the client sees its connection cut
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    Thread.ofVirtual().start(() -> {
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        in.transferTo(out);
      } catch (IOException e) {
        // cut by down() or by either side
      } finally {
        closeQuietly(from);
        closeQuietly(to);
        open.remove(from);
        open.remove(to);
      }
    });
  }

  private static void closeQuietly(@Nullable AutoCloseable c) {
    try {
      if (c != null) {
        c.close();
      }
    } catch (Exception e) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    down();
  }
}
