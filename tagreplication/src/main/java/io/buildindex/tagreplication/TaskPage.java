package io.buildindex.tagreplication;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One page of tasks in a stable order. {@code nextOffset} is an opaque token for the next page when
 * more may follow, else null. Pages are keyset-paged: tasks enqueued meanwhile cause no duplicates.
 */
public record TaskPage(List<TaskStatus> tasks, @Nullable String nextOffset) {
  public TaskPage {
    tasks = List.copyOf(tasks);
  }

  public static TaskPage empty() {
    return new TaskPage(List.of(), null);
  }
}
