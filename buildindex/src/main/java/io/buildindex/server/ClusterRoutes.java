package io.buildindex.server;

import io.buildindex.cluster.AntiEntropy;
import io.buildindex.config.HostPort;
import io.buildindex.tagstore.InvalidInputException;
import io.javalin.Javalin;
import io.javalin.http.Context;

/** Anti-entropy between owners: per-bucket summaries and the records of one bucket. */
final class ClusterRoutes {
  private final AntiEntropy antiEntropy;

  ClusterRoutes(AntiEntropy antiEntropy) {
    this.antiEntropy = antiEntropy;
  }

  void register(Javalin app) {
    app.get("/internal/antientropy/summary", ctx -> ctx.json(antiEntropy.summary(peer(ctx))), Scope.CLUSTER);
    app.get("/internal/antientropy/buckets/{index}", ctx -> ctx.json(antiEntropy.bucket(peer(ctx), index(ctx))), Scope.CLUSTER);
  }

  private static HostPort peer(Context ctx) {
    String peer = ctx.queryParam("peer");
    if (peer == null) {
      throw new InvalidInputException("peer", "is required");
    }
    try {
      return HostPort.parse(peer);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("peer", e.getMessage());
    }
  }

  private static int index(Context ctx) {
    try {
      int i = Integer.parseInt(ctx.pathParam("index"));
      if (i < 0 || i >= 256) {
        throw new InvalidInputException("index", "must be 0 to 255");
      }
      return i;
    } catch (NumberFormatException e) {
      throw new InvalidInputException("index", "not a number");
    }
  }
}
