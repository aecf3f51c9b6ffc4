package io.buildindex.cluster;

import io.buildindex.tagreplication.wire.MemberList;
import io.buildindex.tagstore.Page;
import io.buildindex.tagstore.TagStore;
import org.jspecify.annotations.Nullable;

/**
 * Where {@code GET /list/...} and {@code GET /repositories/.../tags} get their pages: this node's
 * store alone ({@link #local}: a single node, or a cluster whose nodes all see one database), or
 * every member of a ring, merged ({@link Cluster#listing()}). Pages are keyset pages in key order
 * over full tag keys ({@code repo:name}): the caller turns {@link Page#nextAfter()} into the
 * offset token, which therefore names a key and is valid on any node. Implementations are
 * thread-safe.
 */
public interface Listing {
  /**
   * Up to {@code limit} live tag keys starting with {@code prefix}, strictly after the key
   * {@code after} (null: from the start), each once, in key order.
   *
   * @throws ListingIncompleteException when so many members are unreachable that some tags may
   *     have no owner that answered: a partial list is never returned
   */
  Page list(String prefix, int limit, @Nullable String after);

  /** The listing of this node's own store: what a single node, and a member asked by another, answers. */
  static Listing local(TagStore store) {
    return store::list;
  }

  /**
   * This node's answer to a member's {@link MemberList} request: the records of its own store in
   * the range, tombstones included.
   */
  static MemberList.Records memberPage(TagStore store, String prefix, @Nullable String after, int limit) {
    return LocalRecords.page(store, prefix, after, limit);
  }
}
