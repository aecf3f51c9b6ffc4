/**
 * Docker Distribution registry notifications ({@code POST /notifications}): parsing envelopes
 * into the tags they push, and remembering event ids so that a redelivered event is handled once.
 * The public entry point is {@link io.buildindex.docker.notifications.Notifications}.
 */
@NullMarked
package io.buildindex.docker.notifications;

import org.jspecify.annotations.NullMarked;
