package io.buildindex.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.buildindex.config.BuildIndexConfig;
import io.buildindex.config.ConfigLoader;
import io.buildindex.server.RawHttp.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * A {@link BuildIndexApp} on 127.0.0.1 and a free port, storing in a test's temp directory, with
 * a {@link RawHttp} client pointed at it. Paths given to the request methods go on the wire as
 * written: escape tags yourself ({@code team%2Fapp:v1}).
 */
final class TestServer implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  private final BuildIndexApp app;
  private final RawHttp http;
  private final Path db;

  private TestServer(BuildIndexApp app, Path db) {
    this.app = app;
    this.http = new RawHttp(app.port());
    this.db = db;
  }

  static TestServer start(Path dir) {
    return start(dir, "");
  }

  /** {@code moreYaml}: further top-level sections (auth, remotes...), not tagserver or localdb. */
  static TestServer start(Path dir, String moreYaml) {
    Path db = dir.resolve("index.db");
    return new TestServer(BuildIndexApp.start(config(db, moreYaml)), db);
  }

  static BuildIndexConfig config(Path db, String moreYaml) {
    return ConfigLoader.parse("tagserver:\n  listener:\n    addr: 127.0.0.1:0\n"
        + "localdb:\n  source: '" + db.toString().replace("'", "''") + "'\n" + moreYaml);
  }

  /** {@code sha256:} and {@code n} as 64 hex digits: a valid, readable digest. */
  static String digest(long n) {
    return "sha256:" + String.format("%064x", n);
  }

  BuildIndexApp app() {
    return app;
  }

  int port() {
    return app.port();
  }

  Path db() {
    return db;
  }

  RawHttp http() {
    return http;
  }

  Response get(String path) {
    return send("GET", path);
  }

  Response head(String path) {
    return send("HEAD", path);
  }

  Response delete(String path) {
    return send("DELETE", path);
  }

  Response put(String path) {
    return send("PUT", path);
  }

  Response put(String path, String body) {
    return send("PUT", path, Map.of(), body);
  }

  Response post(String path) {
    return send("POST", path);
  }

  Response post(String path, String body) {
    return send("POST", path, Map.of(), body);
  }

  Response send(String method, String path) {
    return send(method, path, Map.of(), "");
  }

  Response send(String method, String path, Map<String, String> headers, String body) {
    return http.send(method, path, headers, body.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code PUT /tags/{tag}/digest/{digest}} with the tag escaped as Kraken clients do. */
  Response putTag(String tag, String digest) {
    return put("/tags/" + escape(tag) + "/digest/" + digest);
  }

  Response getTag(String tag) {
    return get("/tags/" + escape(tag));
  }

  /** Go's {@code url.PathEscape} for the characters tags may hold: only {@code /} changes. */
  static String escape(String tag) {
    return tag.replace("/", "%2F");
  }

  @Override
  public void close() {
    app.close();
  }
}
