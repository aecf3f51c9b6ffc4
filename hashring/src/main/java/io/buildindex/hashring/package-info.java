/**
 * Which build-index nodes of this datacenter own a tag: cluster membership (static list, DNS or
 * Consul), member health (passive call outcomes and active {@code /health} probes) and rendezvous
 * hashing over the healthy members. The one public seam is {@link io.buildindex.hashring.HashRing},
 * built by {@link io.buildindex.hashring.HashRings}.
 */
@NullMarked
package io.buildindex.hashring;

import org.jspecify.annotations.NullMarked;
