package io.buildindex.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code *_file} twins of the secret keys: {@code token_file: /run/secrets/ci-token} reads
 * the token from that file (a mounted Kubernetes or Docker secret), without its final newline.
 * Setting both a key and its {@code _file} twin is an error naming the twin. Stateless.
 *
 * <p>Design: like {@link KrakenCompat}, this rewrites the YAML tree before it is bound, so the
 * records keep one spelling per value and never see a file. The secret keys are listed here, in
 * one place ({@link #SECRETS}); a file's content is taken as it is (no {@code ${...}}
 * substitution: a secret may contain anything).
 */
final class SecretFiles {
  /** Where secrets are, as paths of keys; {@code []} stands for every element of a list. */
  static final List<List<String>> SECRETS = List.of(
      List.of("auth", "tokens", "[]", "token"),
      List.of("auth", "client_token"),
      List.of("origin", "registry", "password"),
      List.of("cluster", "hosts", "consul", "token"),
      List.of("origin", "hosts", "consul", "token"),
      List.of("database", "postgres", "password"));
  static final String SUFFIX = "_file";

  private SecretFiles() {}

  /** Replaces every secret's {@code _file} twin under {@code root} with the secret it names. */
  static void read(JsonNode root) {
    for (List<String> secret : SECRETS) {
      read(root, secret, "");
    }
  }

  private static void read(JsonNode node, List<String> rest, String path) {
    String head = rest.get(0);
    if (head.equals("[]")) {
      if (node instanceof ArrayNode array) {
        for (int i = 0; i < array.size(); i++) {
          read(array.get(i), rest.subList(1, rest.size()), path + "[" + i + "]");
        }
      }
      return;
    }
    if (!(node instanceof ObjectNode object)) {
      return; // absent or of another shape: the binder says what is wrong with it
    }
    String key = path.isEmpty() ? head : path + "." + head;
    if (rest.size() > 1) {
      JsonNode child = object.get(head);
      if (child != null) {
        read(child, rest.subList(1, rest.size()), key);
      }
      return;
    }
    JsonNode file = object.remove(head + SUFFIX);
    if (file == null) {
      return;
    }
    String fileKey = key + SUFFIX;
    JsonNode direct = object.get(head);
    if (direct != null && !direct.isNull()) {
      throw new ConfigException(fileKey, "set " + head + " or " + head + SUFFIX + ", not both");
    }
    if (!file.isTextual() || file.asText().isBlank()) {
      throw new ConfigException(fileKey, "want the path of a file holding the secret, got " + file);
    }
    object.set(head, TextNode.valueOf(contents(fileKey, Path.of(file.asText()))));
  }

  /** The file's text without one final line break ({@code echo secret > file} adds one). */
  private static String contents(String key, Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(key, "no such file " + file.toAbsolutePath());
    } catch (IOException e) {
      throw new ConfigException(key, "cannot read " + file.toAbsolutePath() + ": " + e);
    }
    if (text.endsWith("\n")) {
      text = text.substring(0, text.length() - (text.endsWith("\r\n") ? 2 : 1));
    }
    if (text.isEmpty()) {
      throw new ConfigException(key, "file " + file.toAbsolutePath() + " is empty");
    }
    return text;
  }
}
