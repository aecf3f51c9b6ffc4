/** Test fixtures other modules reuse through the {@code hashring} test-jar: a Consul agent that follows Consul's documented API. */
@NullMarked
package io.buildindex.hashring.testing;

import org.jspecify.annotations.NullMarked;
