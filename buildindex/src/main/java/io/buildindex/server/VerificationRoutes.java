package io.buildindex.server;

import io.buildindex.tagreplication.Replication;
import io.buildindex.tagreplication.RuleSummaries;
import io.buildindex.tagstore.InvalidInputException;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Verification of replication: the source's view ({@code GET /replication/verification}, each
 * remote rule's last run) and the remote's read routes a source compares with (a rule's bucket
 * summary, then the entries of differing buckets). Those two reveal nothing a {@code GET} of each
 * tag would not, but they run a caller's regex over every tag (Java's matcher has no time bound):
 * only another datacenter's build-index (the {@code replicate} scope, which its client token
 * carries) may send one.
 */
final class VerificationRoutes {
  private final Replication replication;
  private final RuleSummaries summaries;

  VerificationRoutes(Replication replication, RuleSummaries summaries) {
    this.replication = replication;
    this.summaries = summaries;
  }

  void register(Router r) {
    r.get("/replication/verification", Scope.ADMIN, ctx -> ctx.json(replication.verification()));
    r.get("/replication/verification/summary", Scope.REPLICATE, this::summary);
    r.get("/replication/verification/entries", Scope.REPLICATE, this::entries);
  }

  private void summary(Context ctx) {
    ListQuery.checkKeys(ctx, Set.of("rule"));
    ctx.json(summaries.summary(rule(ctx)));
  }

  private void entries(Context ctx) {
    ListQuery.checkKeys(ctx, Set.of("rule", "buckets"));
    ctx.json(summaries.entries(rule(ctx), buckets(ctx)));
  }

  private static String rule(Context ctx) {
    String rule = ctx.queryParam("rule");
    if (rule == null) {
      throw new InvalidInputException("rule", "query parameter is required");
    }
    return rule;
  }

  private static List<Integer> buckets(Context ctx) {
    String buckets = ctx.queryParam("buckets");
    if (buckets == null || buckets.isBlank()) {
      throw new InvalidInputException("buckets", "query parameter is required: comma-separated bucket numbers");
    }
    List<Integer> out = new ArrayList<>();
    for (String b : buckets.split(",")) {
      try {
        out.add(Integer.parseInt(b.strip()));
      } catch (NumberFormatException e) {
        throw new InvalidInputException("buckets", "not a number: \"" + b + "\"");
      }
    }
    return out;
  }
}
