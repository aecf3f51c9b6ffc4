package io.buildindex.cluster;

import io.buildindex.tagstore.Digest;
import io.buildindex.tagstore.Generation;

/** A tag as another node holds it: its digest and the generation that wrote it. */
public record RemoteTag(Digest digest, Generation generation) {}
