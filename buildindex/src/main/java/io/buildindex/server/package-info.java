/**
 * The build-index server: HTTP routes (Kraken's API plus ours), auth, metrics, error mapping and
 * the composition root ({@link io.buildindex.server.BuildIndexApp}) that wires every module.
 */
@NullMarked
package io.buildindex.server;

import org.jspecify.annotations.NullMarked;
