package io.buildindex.server;

import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Generation;
import io.buildindex.tagstore.HybridLogicalClock;
import io.buildindex.tagstore.PutResult;
import io.buildindex.tagstore.Tag;
import io.buildindex.tagstore.TagStore;
import org.jspecify.annotations.Nullable;

/**
 * The write path of a tag: choose its generation, store it durably, then tell the neighbors.
 * A write without a generation (a plain Kraken client) is a new write and gets the next one from
 * this node's clock; a write carrying one (from a neighbor or another datacenter) keeps it, and
 * the clock moves past it so this node's later writes win over it.
 */
final class TagWrites {
  private final TagStore store;
  private final HybridLogicalClock clock;

  TagWrites(TagStore store, HybridLogicalClock clock) {
    this.store = store;
    this.clock = clock;
  }

  PutResult put(Tag tag, Digest digest, @Nullable Generation generation) {
    return store.put(tag, digest, generationFor(generation));
  }

  PutResult delete(Tag tag, @Nullable Generation generation) {
    return store.delete(tag, generationFor(generation), TagStore.InTransaction.NONE);
  }

  private Generation generationFor(@Nullable Generation given) {
    if (given == null) {
      return clock.next();
    }
    clock.observe(given);
    return given;
  }
}
