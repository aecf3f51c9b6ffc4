/**
 * Test fixtures other modules reuse through the {@code docker} test-jar: a real
 * {@link io.buildindex.docker.testing.RegistryProcess}, OCI images built and pushed by
 * {@link io.buildindex.docker.testing.OciImages}, and {@link io.buildindex.docker.testing.Skopeo}
 * for inspecting what a registry holds with an independent client.
 */
@NullMarked
package io.buildindex.docker.testing;

import org.jspecify.annotations.NullMarked;
