package io.buildindex.tagstore;

/**
 * What a put or delete did. {@code current} is the tag's state after the call: the new write when
 * applied, otherwise the newer state that won.
 */
public record PutResult(Outcome outcome, TagRecord current) {
  public enum Outcome {
    /** The write is now the tag's state (and in history). */
    APPLIED,
    /** The tag already had this exact state (same generation, or same digest and newer). */
    UNCHANGED,
    /** A newer generation is stored; the write was ignored (last-write-wins). */
    SUPERSEDED
  }

  public boolean applied() {
    return outcome == Outcome.APPLIED;
  }
}
