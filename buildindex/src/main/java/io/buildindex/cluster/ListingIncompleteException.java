package io.buildindex.cluster;

import java.util.List;

/**
 * A ring listing could not be complete: {@code unreachable} members (at least
 * {@code min(max_replica, members)} of them) did not answer, so some tags may have had no owner
 * that did. Answered as 503 naming them, never as a silently partial list.
 */
public final class ListingIncompleteException extends RuntimeException {
  private final List<String> unreachable;

  public ListingIncompleteException(List<String> unreachable, int tolerated) {
    super("list incomplete: members " + String.join(", ", unreachable) + " did not answer; the list is complete only while"
        + " fewer than " + (tolerated + 1) + " members are unreachable (every tag then has an owner that answered)");
    this.unreachable = List.copyOf(unreachable);
  }

  /** The members that did not answer, as {@code host:port}. */
  public List<String> unreachable() {
    return unreachable;
  }
}
