package io.buildindex.tagreplication;

import org.jspecify.annotations.Nullable;

/** Selects tasks for listing and retry; a null field matches everything. */
public record TaskFilter(@Nullable TaskState state, @Nullable String destination) {
  public TaskFilter {
    if (destination != null && destination.isBlank()) {
      throw new IllegalArgumentException("blank destination");
    }
  }

  public static TaskFilter all() {
    return new TaskFilter(null, null);
  }

  public static TaskFilter state(TaskState state) {
    return new TaskFilter(state, null);
  }

  public static TaskFilter destination(String destination) {
    return new TaskFilter(null, destination);
  }
}
