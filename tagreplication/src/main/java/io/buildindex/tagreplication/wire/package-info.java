/**
 * The protocol build-index nodes speak among themselves, in one place for both sides: the headers
 * ({@link io.buildindex.tagreplication.wire.NodeHeaders}), the JSON settings of every body
 * ({@link io.buildindex.tagreplication.wire.NodeJson}), the {@code GET /tags/{tag}} read with its
 * generation ({@link io.buildindex.tagreplication.wire.TagGet}), a member's records for a ring
 * listing ({@link io.buildindex.tagreplication.wire.MemberList}) and the opaque page tokens
 * ({@link io.buildindex.tagreplication.wire.PageTokens}).
 *
 * <p>Design: it lives in {@code tagreplication} because that is the one module both ends already
 * depend on that has HTTP and JSON: the replication client to other datacenters is here, and
 * {@code buildindex} (the server routes and the cluster's neighbor client) depends on this module
 * anyway. {@code tagstore} holds the values on the wire ({@code Tag}, {@code Digest},
 * {@code Generation}) but has neither OkHttp nor Jackson, and a module of its own for four
 * classes would be one more artifact to version for no gain in layering.
 */
@NullMarked
package io.buildindex.tagreplication.wire;

import org.jspecify.annotations.NullMarked;
