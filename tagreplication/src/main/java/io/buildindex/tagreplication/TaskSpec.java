package io.buildindex.tagreplication;

import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagRecord;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Work to enqueue: make {@code destination} hold {@code tag}'s state at {@code generation}, from {@code due}. */
record TaskSpec(
    Tag tag, String destination, @Nullable Digest digest, List<Digest> dependencies, Generation generation,
    Priority priority, Instant due) {
  TaskSpec {
    dependencies = List.copyOf(dependencies);
  }

  static TaskSpec of(TagRecord record, String destination, List<Digest> dependencies, Priority priority, Instant due) {
    return new TaskSpec(record.tag(), destination, record.digest(), record.deleted() ? List.of() : dependencies,
        record.generation(), priority, due);
  }
}
