/**
 * A node's part in its datacenter's cluster: duplicating writes to the tag's other owners on the
 * hash ring (Kraken's DuplicatePut / DuplicateReplicate, with staggered delays), reading tags this
 * node lacks from their owners, listing every member's tags merged ({@link io.buildindex.cluster.Listing}),
 * and anti-entropy repair between owners.
 */
@NullMarked
package io.buildindex.cluster;

import org.jspecify.annotations.NullMarked;
