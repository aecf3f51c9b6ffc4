package io.buildindex.docker;

import io.buildindex.config.HostPort;
import io.buildindex.tagstore.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okio.Buffer;

/**
 * A Kraken origin server on 127.0.0.1 answering the blobclient endpoints from a map of blobs,
 * recording every request as {@code "METHOD /raw/path"} (escapes kept).
 */
final class KrakenStub extends Dispatcher implements AutoCloseable {
  private static final Pattern LOCATIONS = Pattern.compile("^/blobs/([^/]+)/locations$");
  private static final Pattern STAT = Pattern.compile("^/internal/namespace/([^/]+)/blobs/([^/]+)$");
  private static final Pattern DOWNLOAD = Pattern.compile("^/namespace/([^/]+)/blobs/([^/]+)$");
  private static final Pattern REPLICATE = Pattern.compile("^/namespace/([^/]+)/blobs/([^/]+)/remote/([^/]+)$");

  private final MockWebServer server = new MockWebServer();
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  private final Queue<Integer> scriptedStatuses = new ArrayDeque<>();
  private final List<String> log = new ArrayList<>();
  private volatile String locations = "";

  KrakenStub() {
    server.setDispatcher(this);
    try {
      server.start(InetAddress.getByName("127.0.0.1"), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    locations = hostPort().toString();
  }

  HostPort hostPort() {
    return new HostPort("127.0.0.1", server.getPort());
  }

  /** What {@code /blobs/{d}/locations} answers, e.g. {@code "127.0.0.1:1,127.0.0.1:2"}. */
  void locations(String owners) {
    locations = owners;
  }

  Digest put(byte[] content) {
    Digest digest = Digest.sha256(content);
    blobs.put(digest.toString(), content);
    return digest;
  }

  /** The next blob requests (stat, download, replicate) answer these statuses, in order. */
  synchronized void script(Integer... statuses) {
    scriptedStatuses.addAll(List.of(statuses));
  }

  synchronized List<String> log() {
    return List.copyOf(log);
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getRequestUrl().encodedPath();
    Integer scripted;
    synchronized (this) {
      log.add(request.getMethod() + " " + path);
      scripted = path.contains("/locations") ? null : scriptedStatuses.poll();
    }
    Matcher m;
    if ((m = LOCATIONS.matcher(path)).matches()) {
      return new MockResponse().setHeader("Origin-Locations", locations);
    }
    if (scripted != null) {
      return new MockResponse().setResponseCode(scripted);
    }
    if ((m = REPLICATE.matcher(path)).matches() && request.getMethod().equals("POST")) {
      return new MockResponse().setResponseCode(blobs.containsKey(m.group(2)) ? 200 : 404);
    }
    if ((m = STAT.matcher(path)).matches() && request.getMethod().equals("HEAD")) {
      return new MockResponse().setResponseCode(blobs.containsKey(m.group(2)) ? 200 : 404);
    }
    if ((m = DOWNLOAD.matcher(path)).matches() && request.getMethod().equals("GET")) {
      byte[] content = blobs.get(m.group(2));
      return content == null ? new MockResponse().setResponseCode(404)
          : new MockResponse().setHeader("Content-Type", "application/octet-stream").setBody(new Buffer().write(content));
    }
    return new MockResponse().setResponseCode(405);
  }

  @Override
  public void close() throws IOException {
    server.shutdown();
  }
}
