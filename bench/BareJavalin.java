import io.javalin.Javalin;
import org.eclipse.jetty.http.UriCompliance;

/**
 * The baseline of the hot-GET benchmark: Javalin configured like build-index's server (virtual
 * threads, no banner, LEGACY URI compliance, same max request size, same 4 KiB response copy
 * buffer: {@code -Dbare.responseBufferSize=32768} gives Javalin's default) answering {@code GET
 * /tags/{tag}} with a constant 71-byte text body, the size of a {@code sha256:<64 hex>} digest, and
 * {@code PUT /tags/{tag}/digest/{digest}} with an empty 200.
 * Nothing else: no store, no auth, no metrics. Runs with the source launcher against the shaded
 * jar, so it uses exactly the server's Javalin and Jetty:
 *
 * <pre>java -cp buildindex/target/buildindex.jar bench/BareJavalin.java PORT</pre>
 */
public final class BareJavalin {
  static final String BODY = "sha256:" + "0123456789abcdef".repeat(4);

  public static void main(String[] args) {
    int port = Integer.parseInt(args.length > 0 ? args[0] : "15005");
    if (BODY.length() != 71) {
      throw new AssertionError("body must be 71 bytes, is " + BODY.length());
    }
    Javalin app = Javalin.create(c -> {
      c.showJavalinBanner = false;
      c.useVirtualThreads = true;
      c.http.maxRequestSize = 1024 * 1024;
      c.http.responseBufferSize = Integer.getInteger("bare.responseBufferSize", 4096);
      c.jetty.modifyHttpConfiguration(h -> h.setUriCompliance(UriCompliance.LEGACY));
    });
    app.get("/tags/{tag}", ctx -> ctx.contentType("text/plain").result(BODY));
    // The durable PUT's baseline: the same request, answered 200 with no body and no storage.
    app.put("/tags/{tag}/digest/{digest}", ctx -> ctx.status(200));
    app.get("/health", ctx -> ctx.contentType("text/plain").result("OK\n"));
    app.start("127.0.0.1", port);
    System.err.println("bare javalin listening on 127.0.0.1:" + port);
    Runtime.getRuntime().addShutdownHook(new Thread(app::stop, "shutdown"));
  }
}
