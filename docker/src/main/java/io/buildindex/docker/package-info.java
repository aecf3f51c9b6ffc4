/**
 * Docker and OCI support for build-index: resolving a tag's blob dependencies from its manifest,
 * and this datacenter's blob store ("origin"), either an OCI distribution registry or a Kraken
 * origin cluster, which can tell whether a blob exists and replicate a tag's blobs to another
 * datacenter.
 *
 * <p>The public seams are {@link io.buildindex.docker.Origin} and
 * {@link io.buildindex.docker.ImageDependencies}, both built by
 * {@link io.buildindex.docker.Origins}; the values they exchange are
 * {@link io.buildindex.tagstore.Digest} (the tag store's, the one digest type) and
 * {@link io.buildindex.docker.TransferSummary}.
 * Everything else in this package is package-private. Failures surface as
 * {@link io.buildindex.docker.ManifestNotFoundException},
 * {@link io.buildindex.docker.InvalidManifestException} (both the client's fault: 4xx) and
 * {@link io.buildindex.docker.OriginException} (the origin's: 502/503).
 */
@NullMarked
package io.buildindex.docker;

import org.jspecify.annotations.NullMarked;
