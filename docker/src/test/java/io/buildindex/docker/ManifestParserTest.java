package io.buildindex.docker;

import static io.buildindex.docker.TestManifests.placeholder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.buildindex.tagstore.Digest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

final class ManifestParserTest {
  @Test
  void dockerSchema2_configThenLayers() {
    ImageManifest m = (ImageManifest) TestManifests.parse("docker-schema2.json");

    assertThat(m.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
    assertThat(m.config()).isEqualTo(Descriptor.of("application/vnd.docker.container.image.v1+json",
        placeholder("schema2-config"), 1469));
    assertThat(m.references()).extracting(Descriptor::digest).containsExactly(placeholder("schema2-config"),
        placeholder("schema2-layer-1"), placeholder("schema2-layer-2"), placeholder("schema2-layer-3"));
    assertThat(m.layers().get(0).size()).isEqualTo(29124181);
  }

  @Test
  void dockerManifestList_childrenWithPlatforms() {
    ManifestIndex m = (ManifestIndex) TestManifests.parse("docker-manifest-list.json");

    assertThat(m.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
    assertThat(m.manifests()).extracting(Descriptor::digest)
        .containsExactly(placeholder("list-amd64"), placeholder("list-arm64"), placeholder("list-windows"));
    assertThat(m.manifests()).extracting(d -> String.valueOf(d.platform()))
        .containsExactly("linux/amd64", "linux/arm64/v8", "windows/amd64");
  }

  @Test
  void ociManifest_layersOfAnyCompression() {
    ImageManifest m = (ImageManifest) TestManifests.parse("oci-manifest.json");

    assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    assertThat(m.config().digest()).isEqualTo(placeholder("oci-config"));
    assertThat(m.layers()).extracting(Descriptor::mediaType)
        .containsExactly("application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.oci.image.layer.v1.tar+zstd");
  }

  @Test
  void ociIndex_platformEntriesAndAnnotations() {
    ManifestIndex m = (ManifestIndex) TestManifests.parse("oci-index.json");

    assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(m.manifests().get(1).platform()).isEqualTo(new Platform("linux", "arm", "v7"));
    assertThat(m.manifests().get(1).annotations()).containsEntry("org.opencontainers.image.ref.name", "v1.2.3");
  }

  @Test
  void buildkitAttestations_areChildManifestsOfUnknownPlatform() {
    ManifestIndex index = (ManifestIndex) TestManifests.parse("buildkit-attestation-index.json");
    ImageManifest attestation = (ImageManifest) TestManifests.parse("attestation-manifest.json");

    Descriptor entry = index.manifests().get(2);
    assertThat(entry.platform()).isEqualTo(new Platform("unknown", "unknown", ""));
    assertThat(entry.annotations()).containsEntry("vnd.docker.reference.type", "attestation-manifest")
        .containsEntry("vnd.docker.reference.digest", placeholder("bk-amd64").toString());
    assertThat(index.manifests()).hasSize(4);
    assertThat(attestation.layers()).extracting(Descriptor::mediaType).containsOnly("application/vnd.in-toto+json");
  }

  @Test
  void nestedIndex_childIsAnIndex() {
    ManifestIndex m = (ManifestIndex) TestManifests.parse("nested-index.json");

    assertThat(m.manifests().get(0).mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(m.manifests().get(0).platform()).isNull();
  }

  @Test
  void foreignLayers_keepTheirUrls() {
    ImageManifest m = (ImageManifest) TestManifests.parse("windows-foreign-layers.json");

    Descriptor base = m.layers().get(0);
    assertThat(MediaTypes.isForeignLayer(base)).isTrue();
    assertThat(base.urls()).singleElement().asString().startsWith("https://mcr.microsoft.com/");
    assertThat(MediaTypes.isForeignLayer(m.layers().get(1))).isFalse();
    assertThat(m.references()).hasSize(3);
  }

  @Test
  void missingMediaType_imageManifestByShape() {
    ImageManifest m = (ImageManifest) TestManifests.parse("oci-manifest-no-mediatype.json");

    assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    assertThat(m.layers()).extracting(Descriptor::digest).containsExactly(placeholder("untyped-layer"));
  }

  @Test
  void missingMediaType_indexByShape() {
    ManifestIndex m = (ManifestIndex) TestManifests.parse("oci-index-no-mediatype.json");

    assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
  }

  @Test
  void missingMediaType_contentTypeHeaderDecides() {
    byte[] body = TestManifests.bytes("oci-manifest-no-mediatype.json");

    Manifest m = ManifestParser.parse(Digest.sha256(body), body, MediaTypes.DOCKER_MANIFEST + "; charset=utf-8");

    assertThat(m.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
  }

  @Test
  void missingMediaType_genericContentTypeFallsBackToShape() {
    byte[] body = TestManifests.bytes("oci-index-no-mediatype.json");

    assertThat(ManifestParser.parse(Digest.sha256(body), body, "application/octet-stream").mediaType())
        .isEqualTo(MediaTypes.OCI_INDEX);
  }

  @Test
  void unknownFields_ignored() {
    ImageManifest m = (ImageManifest) TestManifests.parse("registry-extra-fields.json");

    assertThat(m.config().mediaType()).isEqualTo("application/vnd.oci.empty.v1+json");
    assertThat(m.references()).extracting(Descriptor::digest).doesNotContain(placeholder("extra-subject"));
  }

  @Test
  void schema1_rejected() {
    byte[] body = TestManifests.bytes("schema1-signed.json");

    assertThatThrownBy(() -> ManifestParser.parse(Digest.sha256(body), body, MediaTypes.DOCKER_SCHEMA1_SIGNED))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessageContaining(Digest.sha256(body).toString())
        .hasMessageContaining("schema1 manifests are not supported");
  }

  @Test
  void schema1_rejectedWithoutContentType() {
    assertThatThrownBy(() -> TestManifests.parse("schema1-signed.json"))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessageContaining("schema1").hasMessageContaining("schemaVersion 1");
  }

  @Test
  void unknownMediaType_rejected() {
    assertThatThrownBy(() -> TestManifests.parse("unknown-type.json"))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessageContaining("unsupported media type \"application/vnd.oci.artifact.manifest.v1+json\"");
  }

  @Test
  void unknownContentType_rejected() {
    byte[] body = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> ManifestParser.parse(Digest.sha256(body), body, "text/html"))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessageContaining("unsupported media type \"text/html\"");
  }

  @Test
  void noTypeAtAll_rejected() {
    byte[] body = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> ManifestParser.parse(Digest.sha256(body), body, null))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessageContaining("cannot tell the manifest type");
  }

  @Test
  void malformedJson_rejected() {
    byte[] body = "{\"schemaVersion\": 2, \"layers\": [".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> ManifestParser.parse(Digest.sha256(body), body, null))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessageContaining("malformed JSON")
        .extracting(e -> ((InvalidManifestException) e).digest()).isEqualTo(Digest.sha256(body));
  }

  @Test
  void notAnObject_rejected() {
    byte[] body = "[1, 2]".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> ManifestParser.parse(Digest.sha256(body), body, null))
        .isInstanceOf(InvalidManifestException.class).hasMessageContaining("not a JSON object");
  }

  @Test
  void badLayerDigest_namesTheField() {
    String json = "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"digest\":\""
        + placeholder("c") + "\",\"size\":1},\"layers\":[{\"digest\":\"sha256:XYZ\",\"size\":3}]}";
    byte[] body = json.getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> ManifestParser.parse(Digest.sha256(body), body, null))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessageContaining("layers[0].digest").hasMessageContaining("sha256:XYZ");
  }

  @Test
  void missingSize_rejected() {
    String json = "{\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[{\"digest\":\""
        + placeholder("c") + "\"}]}";
    byte[] body = json.getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> ManifestParser.parse(Digest.sha256(body), body, null))
        .isInstanceOf(InvalidManifestException.class).hasMessageContaining("manifests[0].size");
  }

  @Test
  void imageWithoutConfig_rejected() {
    String json = "{\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"layers\":[]}";
    byte[] body = json.getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> ManifestParser.parse(Digest.sha256(body), body, null))
        .isInstanceOf(InvalidManifestException.class).hasMessageContaining("without \"config\"");
  }
}
