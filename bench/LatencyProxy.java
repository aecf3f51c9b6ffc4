import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on loopback that adds latency: every byte is forwarded RTT_MS / 2 after it arrived,
 * in each direction, in order, so a request-response exchange through it takes one RTT_MS more
 * (there is no {@code tc netem} on the benchmark machines). Listens on 127.0.0.1:LISTEN_PORT and
 * forwards each connection to 127.0.0.1:TARGET_PORT.
 *
 * <pre>java bench/LatencyProxy.java LISTEN_PORT TARGET_PORT RTT_MS [MAX_SECONDS=3600]</pre>
 *
 * Prints {@code LATENCY_PROXY_READY port=.. target=.. rtt_ms=..} once listening. Bounded: at most
 * {@link #MAX_CONNECTIONS} connections (more wait in the accept backlog), at most
 * {@link #MAX_CHUNKS_IN_FLIGHT} chunks of up to {@link #CHUNK} bytes in flight per direction (a
 * full pipe stops reading, so TCP flow control pushes back on the sender, as a real link's
 * bandwidth-delay product does), and it exits by itself after MAX_SECONDS (or when killed).
 * Half-closes are forwarded, delayed like the data. Loopback only.
 *
 * <p>Each direction's reader and writer are platform threads: a virtual thread's timed park is
 * ended by a scheduler thread and then run by a carrier, two wake-ups that added ~0.3 ms to every
 * round trip of an idle link (21.75 ms p50 for a 20 ms link, 21.45 ms with platform threads;
 * the rest is the proxy's own hops and the server's answer, 0.85 ms without the proxy).
 */
public final class LatencyProxy {
  static final int MAX_CONNECTIONS = 512;
  static final int CHUNK = 64 * 1024;
  static final int MAX_CHUNKS_IN_FLIGHT = 256;

  /** Bytes read at {@code atNanos}; an empty one (length 0) is the end of the stream. */
  private record Chunk(byte[] bytes, long dueNanos) {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: java LatencyProxy.java LISTEN_PORT TARGET_PORT RTT_MS [MAX_SECONDS]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    int target = Integer.parseInt(args[1]);
    long oneWayNanos = TimeUnit.MICROSECONDS.toNanos((long) (Double.parseDouble(args[2]) * 1000 / 2));
    long maxSeconds = args.length > 3 ? Long.parseLong(args[3]) : 3600;
    Thread.ofPlatform().daemon().start(() -> {
      LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(maxSeconds));
      System.err.println("LatencyProxy: " + maxSeconds + " s passed, exiting");
      System.exit(0);
    });
    InetAddress loopback = InetAddress.getLoopbackAddress();
    Semaphore slots = new Semaphore(MAX_CONNECTIONS);
    try (ServerSocket server = new ServerSocket()) {
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(loopback, port), 128);
      System.out.println("LATENCY_PROXY_READY port=" + port + " target=" + target + " rtt_ms=" + args[2]);
      System.out.flush();
      while (true) {
        slots.acquire();
        Socket client = server.accept();
        Thread.ofVirtual().start(() -> {
          try {
            serve(client, new InetSocketAddress(loopback, target), oneWayNanos);
          } finally {
            slots.release();
          }
        });
      }
    }
  }

  private static void serve(Socket client, InetSocketAddress target, long oneWayNanos) {
    try (client; Socket upstream = new Socket()) {
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
      upstream.connect(target, 5_000);
      Thread[] pumps = {
          pipe(client, upstream, oneWayNanos),
          pipe(upstream, client, oneWayNanos),
      };
      for (Thread t : pumps) {
        t.join();
      }
    } catch (IOException e) {
      // the target refused or a socket failed: closing the client's socket tells it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts forwarding {@code from} to {@code to} with the delay; the thread returned ends with the stream. */
  private static Thread pipe(Socket from, Socket to, long delayNanos) throws IOException {
    BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(MAX_CHUNKS_IN_FLIGHT);
    InputStream in = from.getInputStream();
    OutputStream out = to.getOutputStream();
    Thread reader = Thread.ofPlatform().daemon(true).start(() -> {
      byte[] buf = new byte[CHUNK];
      try {
        for (int n; (n = in.read(buf)) >= 0; ) {
          if (n > 0) {
            queue.put(new Chunk(Arrays.copyOf(buf, n), System.nanoTime() + delayNanos));
          }
        }
        queue.put(new Chunk(new byte[0], System.nanoTime() + delayNanos));
      } catch (IOException e) {
        closeQuietly(from, to); // a reset: both ends learn at once, as they would without the proxy
        queue.offer(new Chunk(new byte[0], System.nanoTime()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Thread writer = Thread.ofPlatform().daemon(true).start(() -> {
      try {
        while (true) {
          Chunk c = queue.take();
          for (long wait; (wait = c.dueNanos() - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(wait);
          }
          if (c.bytes().length == 0) {
            if (!to.isClosed()) {
              to.shutdownOutput();
            }
            return;
          }
          out.write(c.bytes());
          out.flush();
        }
      } catch (IOException e) {
        closeQuietly(from, to);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        reader.interrupt();
      }
    });
    return Thread.ofVirtual().start(() -> {
      try {
        writer.join();
        reader.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  private static void closeQuietly(Socket... sockets) {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
