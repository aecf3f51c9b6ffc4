package io.buildindex.server;

import io.buildindex.cluster.AntiEntropy;
import io.buildindex.config.HostPort;
import io.buildindex.tagstore.InvalidInputException;
import io.javalin.http.Context;

/** Anti-entropy between owners: per-bucket summaries and the records of one bucket. */
final class ClusterRoutes {
  private final AntiEntropy antiEntropy;

  ClusterRoutes(AntiEntropy antiEntropy) {
    this.antiEntropy = antiEntropy;
  }

  void register(Router r) {
    r.get("/internal/antientropy/summary", Scope.CLUSTER, ctx -> ctx.json(antiEntropy.summary(peer(ctx))));
    r.get("/internal/antientropy/buckets/{index}", Scope.CLUSTER, (ctx, params) -> ctx.json(antiEntropy.bucket(peer(ctx), index(params))));
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

  private static int index(PathTemplate.Params params) {
    try {
      int i = Integer.parseInt(params.get("index"));
      if (i < 0 || i >= 256) {
        throw new InvalidInputException("index", "must be 0 to 255");
      }
      return i;
    } catch (NumberFormatException e) {
      throw new InvalidInputException("index", "not a number");
    }
  }
}
