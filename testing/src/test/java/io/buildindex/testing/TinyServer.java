package io.buildindex.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A child process for {@link ChildProcessTest}: {@code TinyServer <port>} answers every GET with
 * 200 on 127.0.0.1:port until it is stopped; {@code TinyServer fail} prints a line and exits 3.
 */
final class TinyServer {
  private TinyServer() {}

  public static void main(String[] args) throws IOException {
    if (args[0].equals("fail")) {
      System.out.println("tiny server: bad configuration");
      System.exit(3);
    }
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(),
        Integer.parseInt(args[0])), 0);
    server.createContext("/", exchange -> {
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
    System.out.println("tiny server: listening");
  }
}
