package io.buildindex.tagreplication;

import java.util.ArrayList;
import java.util.List;

/** What a test opened (remotes, nodes), closed in reverse order by the test's {@code @AfterEach}. */
final class Closer implements AutoCloseable {
  private final List<AutoCloseable> closeables = new ArrayList<>();

  <T extends AutoCloseable> T add(T c) {
    closeables.add(c);
    return c;
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
    closeables.clear();
  }
}
