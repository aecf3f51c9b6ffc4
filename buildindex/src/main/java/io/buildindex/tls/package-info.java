/**
 * TLS for the listener and every outgoing call, built once from the {@code tls} section
 * ({@link io.buildindex.tls.Tls}) and reloaded when its files change.
 */
@NullMarked
package io.buildindex.tls;

import org.jspecify.annotations.NullMarked;
