package io.buildindex.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${NAME}} in the configuration's string values with the environment variable
 * {@code NAME}, so that secrets and per-deployment values need not sit in the file:
 * {@code token: ${BUILDINDEX_CI_TOKEN}}, {@code url: https://${REGISTRY_HOST}}. A variable that is
 * not set fails naming the key and the variable; {@code $${} is a literal {@code ${}. Stateless.
 *
 * <p>Design: the substitution works on the parsed tree, not on the file's text, so that a value
 * cannot change the YAML's structure (a secret holding {@code ": #"} stays one string), comments
 * are left alone, and an error can name the key. The price: a substituted value is a string,
 * so numbers ({@code max_replica}) cannot come from the environment; durations, addresses, URLs,
 * paths and tokens, which are strings, can. Keys (e.g. {@code remotes}' addresses) are not
 * substituted.
 */
final class EnvSubstitution {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private EnvSubstitution() {}

  /** Substitutes in every string value under {@code node} (in place), {@code path} naming it. */
  static void expand(JsonNode node, String path, Map<String, String> env) {
    if (node instanceof ObjectNode object) {
      for (String field : fieldNames(object)) {
        JsonNode child = object.get(field);
        String key = path.isEmpty() ? field : path + "." + field;
        if (child.isTextual()) {
          object.set(field, TextNode.valueOf(expand(child.asText(), key, env)));
        } else {
          expand(child, key, env);
        }
      }
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        String key = path + "[" + i + "]";
        if (array.get(i).isTextual()) {
          array.set(i, TextNode.valueOf(expand(array.get(i).asText(), key, env)));
        } else {
          expand(array.get(i), key, env);
        }
      }
    }
  }

  /** {@code text} with each {@code ${NAME}} replaced and each {@code $${} made {@code ${}. */
  static String expand(String text, String key, Map<String, String> env) {
    if (!text.contains("${")) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      if (text.startsWith("$${", i)) {
        out.append("${");
        i += 3;
      } else if (text.startsWith("${", i)) {
        int end = text.indexOf('}', i + 2);
        String name = end < 0 ? "" : text.substring(i + 2, end);
        if (!NAME.matcher(name).matches()) {
          throw new ConfigException(key, "bad environment reference in \"" + text
              + "\": want ${NAME} (letters, digits, _), or $${ for a literal ${");
        }
        String value = env.get(name);
        if (value == null) {
          throw new ConfigException(key, "environment variable " + name + " is not set");
        }
        out.append(value);
        i = end + 1;
      } else {
        out.append(text.charAt(i++));
      }
    }
    return out.toString();
  }

  private static List<String> fieldNames(ObjectNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
