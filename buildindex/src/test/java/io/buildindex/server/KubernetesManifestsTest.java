package io.buildindex.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.buildindex.config.AuthConfig.TokenConfig;
import io.buildindex.config.BuildIndexConfig;
import io.buildindex.config.ConfigLoader;
import io.buildindex.config.HostPort;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ops/kubernetes/}: with no cluster at hand, the manifests are checked as YAML with the
 * fields a deployment relies on (probes, non-root user, volumes, Secrets and ConfigMaps that exist),
 * and the SQLite mode's configuration is loaded by {@link ConfigLoader} with the environment its
 * pods get.
 */
final class KubernetesManifestsTest {
  private static final Path DIR = Path.of("").toAbsolutePath().getParent().resolve("ops/kubernetes");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @TempDir Path dir;

  @Test
  void everyDocument_hasApiVersionKindAndName() throws IOException {
    for (String file : List.of("sqlite-statefulset.yaml", "postgres-deployment.yaml")) {
      List<JsonNode> docs = documents(file);
      assertThat(docs).as(file).isNotEmpty();
      for (JsonNode doc : docs) {
        assertThat(doc.path("apiVersion").asText()).as(file + ": " + doc).isNotEmpty();
        assertThat(doc.path("kind").asText()).as(file + ": " + doc).isNotEmpty();
        assertThat(doc.path("metadata").path("name").asText()).as(file + ": " + doc).isNotEmpty();
      }
    }
  }

  @Test
  void statefulSet_volumePerPodHeadlessServiceProbesNonRootResources() throws IOException {
    List<JsonNode> docs = documents("sqlite-statefulset.yaml");
    JsonNode set = only(docs, "StatefulSet");
    JsonNode pod = set.path("spec").path("template");
    JsonNode container = pod.path("spec").path("containers").get(0);

    JsonNode peers = named(docs, "Service", set.path("spec").path("serviceName").asText());
    assertThat(peers.path("spec").path("clusterIP").asText()).as("headless").isEqualTo("None");
    assertThat(set.path("spec").path("selector").path("matchLabels")).isEqualTo(pod.path("metadata").path("labels"));
    assertThat(peers.path("spec").path("selector")).isEqualTo(pod.path("metadata").path("labels"));
    String claim = set.path("spec").path("volumeClaimTemplates").get(0).path("metadata").path("name").asText();
    assertThat(mountPath(container, claim)).as("a volume per pod for the data").isEqualTo("/var/lib/build-index");
    assertCommon(docs, pod, container);
  }

  @Test
  void statefulSet_config_loadsWithTheSecretsAndNamesTheRing() throws IOException {
    List<JsonNode> docs = documents("sqlite-statefulset.yaml");
    JsonNode set = only(docs, "StatefulSet");
    JsonNode container = set.path("spec").path("template").path("spec").path("containers").get(0);

    BuildIndexConfig config = ConfigLoader.parse(configYaml(docs, container), environment(docs, container));

    String peers = set.path("spec").path("serviceName").asText();
    assertThat(config.cluster()).isNotNull();
    assertThat(config.cluster().hosts().dns()).isEqualTo(peers + ":" + containerPort(container));
    assertThat(config.tagserver().listener().addr()).isEqualTo(new HostPort("0.0.0.0", containerPort(container)));
    assertThat(config.localdb().source().getParent()).hasToString(mountPath(container, "data"));
    JsonNode secret = named(docs, "Secret", "build-index-tokens").path("stringData");
    assertThat(config.auth()).isNotNull();
    assertThat(config.auth().tokens()).extracting(TokenConfig::token)
        .containsExactlyInAnyOrder(secret.path("ci-token").asText(), secret.path("cluster-token").asText());
    assertThat(config.auth().clientToken()).isEqualTo(secret.path("cluster-token").asText());
  }

  @Test
  void deployment_postgresPasswordFromSecretFileProbesNonRootNoVolumeClaims() throws IOException {
    List<JsonNode> docs = documents("postgres-deployment.yaml");
    JsonNode deployment = only(docs, "Deployment");
    JsonNode pod = deployment.path("spec").path("template");
    JsonNode container = pod.path("spec").path("containers").get(0);
    JsonNode service = only(docs, "Service");

    assertThat(service.path("spec").path("selector")).isEqualTo(pod.path("metadata").path("labels"));
    assertThat(deployment.path("spec").path("volumeClaimTemplates").isMissingNode()).isTrue();
    assertCommon(docs, pod, container);
    JsonNode postgres = YAML.readTree(configYaml(docs, container)).path("database").path("postgres");
    Path passwordFile = Path.of(postgres.path("password_file").asText());
    JsonNode passwordVolume = volumeMountedAt(pod, container, passwordFile.getParent().toString());
    JsonNode secretItem = passwordVolume.path("secret").path("items").get(0);
    assertThat(secretItem.path("path").asText()).isEqualTo(passwordFile.getFileName().toString());
    assertThat(named(docs, "Secret", passwordVolume.path("secret").path("secretName").asText())
        .path("stringData").has(secretItem.path("key").asText())).as("the password's key is in the Secret").isTrue();
    assertThat(postgres.has("password")).as("no password in the ConfigMap").isFalse();

    // The configuration loads as the pod would, with the Secret's file where the pod mounts it.
    com.fasterxml.jackson.databind.node.ObjectNode config =
        (com.fasterxml.jackson.databind.node.ObjectNode) YAML.readTree(configYaml(docs, container));
    Path mounted = java.nio.file.Files.writeString(dir.resolve("password"), "from-the-secret\n");
    ((com.fasterxml.jackson.databind.node.ObjectNode) config.path("database").path("postgres")).put("password_file", mounted.toString());
    BuildIndexConfig loaded = ConfigLoader.parse(YAML.writeValueAsString(config), environment(docs, container));
    assertThat(loaded.postgres()).isNotNull();
    assertThat(loaded.postgres().url()).isEqualTo("jdbc:postgresql://postgres:5432/buildindex");
    assertThat(loaded.postgres().password()).isEqualTo("from-the-secret");
  }

  /** Probes on /health and /readiness, a non-root user, resources, /tmp writable, referenced Secrets and ConfigMaps present. */
  private static void assertCommon(List<JsonNode> docs, JsonNode pod, JsonNode container) {
    assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readiness");
    assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/health");
    JsonNode security = pod.path("spec").path("securityContext");
    assertThat(security.path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(security.path("runAsUser").asInt()).as("the image's user").isEqualTo(65532);
    assertThat(container.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
    assertThat(container.path("resources").path("requests").path("memory").asText()).isNotEmpty();
    assertThat(container.path("resources").path("limits").path("memory").asText()).isNotEmpty();
    assertThat(mountPath(container, "tmp")).isEqualTo("/tmp");
    assertThat(mountPath(container, "config")).as("where the image's command reads config.yaml").isEqualTo("/etc/build-index");
    for (JsonNode env : container.path("env")) {
      JsonNode ref = env.path("valueFrom").path("secretKeyRef");
      if (!ref.isMissingNode()) {
        assertThat(named(docs, "Secret", ref.path("name").asText()).path("stringData").has(ref.path("key").asText()))
            .as(env.path("name").asText()).isTrue();
      }
    }
  }

  private static String configYaml(List<JsonNode> docs, JsonNode container) {
    JsonNode pod = docs.stream().filter(d -> d.path("spec").path("template").path("spec").path("containers").size() > 0)
        .findFirst().orElseThrow().path("spec").path("template");
    String configMap = volumeMountedAt(pod, container, "/etc/build-index").path("configMap").path("name").asText();
    String yaml = named(docs, "ConfigMap", configMap).path("data").path("config.yaml").asText();
    assertThat(yaml).as("ConfigMap " + configMap + " config.yaml").isNotEmpty();
    return yaml;
  }

  /** The container's environment as the kubelet would set it, Secret references resolved. */
  private static Map<String, String> environment(List<JsonNode> docs, JsonNode container) {
    Map<String, String> env = new HashMap<>();
    for (JsonNode e : container.path("env")) {
      JsonNode ref = e.path("valueFrom").path("secretKeyRef");
      env.put(e.path("name").asText(), ref.isMissingNode() ? e.path("value").asText()
          : named(docs, "Secret", ref.path("name").asText()).path("stringData").path(ref.path("key").asText()).asText());
    }
    return env;
  }

  private static JsonNode volumeMountedAt(JsonNode pod, JsonNode container, String path) {
    for (JsonNode mount : container.path("volumeMounts")) {
      if (mount.path("mountPath").asText().equals(path)) {
        for (JsonNode volume : pod.path("spec").path("volumes")) {
          if (volume.path("name").asText().equals(mount.path("name").asText())) {
            return volume;
          }
        }
      }
    }
    throw new AssertionError("no volume mounted at " + path);
  }

  private static String mountPath(JsonNode container, String volume) {
    for (JsonNode mount : container.path("volumeMounts")) {
      if (mount.path("name").asText().equals(volume)) {
        return mount.path("mountPath").asText();
      }
    }
    throw new AssertionError("volume " + volume + " is not mounted");
  }

  private static int containerPort(JsonNode container) {
    return container.path("ports").get(0).path("containerPort").asInt();
  }

  private static JsonNode only(List<JsonNode> docs, String kind) {
    List<JsonNode> found = docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    assertThat(found).as(kind).hasSize(1);
    return found.get(0);
  }

  private static JsonNode named(List<JsonNode> docs, String kind, String name) {
    return docs.stream().filter(d -> d.path("kind").asText().equals(kind) && d.path("metadata").path("name").asText().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
  }

  private static List<JsonNode> documents(String file) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(DIR.resolve(file).toFile())) {
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          docs.add(doc);
        }
      }
    }
    return docs;
  }
}
