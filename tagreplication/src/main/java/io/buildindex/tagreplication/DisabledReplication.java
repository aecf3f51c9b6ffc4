package io.buildindex.tagreplication;

import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagRecord;
import io.buildindex.tagstore.TagStore;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** {@link Replication#disabled()}: a null object, stateless. */
enum DisabledReplication implements Replication {
  INSTANCE;

  @Override
  public TagStore.InTransaction onTagWrite(boolean replicate, List<Digest> dependencies) {
    return TagStore.InTransaction.NONE;
  }

  @Override
  public TagStore.InTransaction onTagWrite(List<Digest> dependencies, Duration delay) {
    return TagStore.InTransaction.NONE;
  }

  @Override
  public TagStore.InTransaction onTagDelete(boolean replicate) {
    return TagStore.InTransaction.NONE;
  }

  @Override
  public int enqueue(TagRecord current, List<Digest> dependencies, Duration delay) {
    return 0;
  }

  @Override
  public List<TaskStatus> status(Tag tag) {
    return List.of();
  }

  @Override
  public TaskPage tasks(TaskFilter filter, int limit, @Nullable String offset) {
    return TaskPage.empty();
  }

  @Override
  public int retry(TaskFilter filter) {
    return 0;
  }

  @Override
  public List<BackfillProgress> backfill() {
    return List.of();
  }

  @Override
  public List<RuleMatch> match(Tag tag) {
    return List.of();
  }

  @Override
  public void start() {}

  @Override
  public void close() {}
}
