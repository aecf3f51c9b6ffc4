package io.buildindex.docker;

import java.util.ArrayList;
import java.util.List;

/** A Docker schema2 or OCI image manifest: one config blob and its layers. */
record ImageManifest(String mediaType, Descriptor config, List<Descriptor> layers) implements Manifest {
  ImageManifest {
    if (!MediaTypes.IMAGE_MANIFESTS.contains(mediaType)) {
      throw new IllegalArgumentException("not an image manifest type: " + mediaType);
    }
    layers = List.copyOf(layers);
  }

  /** The config, then the layers. */
  @Override
  public List<Descriptor> references() {
    List<Descriptor> refs = new ArrayList<>(layers.size() + 1);
    refs.add(config);
    refs.addAll(layers);
    return refs;
  }
}
