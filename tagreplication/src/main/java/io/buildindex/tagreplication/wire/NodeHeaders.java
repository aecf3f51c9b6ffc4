package io.buildindex.tagreplication.wire;

/**
 * The headers build-index nodes use among themselves, within a datacenter and between them
 * (Kraken clients neither send nor need them).
 */
public final class NodeHeaders {
  /** The generation of a replicated, duplicated or routed write, and of the state an answer reports. */
  public static final String GENERATION = "X-Tag-Generation";
  /** What a write did: applied, unchanged or superseded. */
  public static final String OUTCOME = "X-Tag-Outcome";
  /** Marks a read or delete forwarded from another node, which must answer from its own store and not fan out again. */
  public static final String FORWARDED = "X-Build-Index-Forwarded";
  /** Marks a client's write that a non-owner routed to an owner: the owner stores it and fans out, but routes it no further. */
  public static final String ROUTED = "X-Build-Index-Routed";

  private NodeHeaders() {}
}
