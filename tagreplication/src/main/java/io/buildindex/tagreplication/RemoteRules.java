package io.buildindex.tagreplication;

import io.buildindex.config.ConfigException;
import io.buildindex.config.HostPort;
import io.buildindex.tagstore.Tag;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code remotes} section compiled: remote build-index address to tag regexes. Immutable,
 * thread-safe.
 *
 * <p>Design: matching follows Kraken's {@code Remotes.Match}, which calls Go's
 * {@code regexp.MatchString(tag)} on the whole {@code repo:name} string. That is a search, not
 * an anchored match: {@code foo/.*} matches {@code foo/bar:1} and also {@code x/foo/bar:1}; rules
 * that mean a prefix must say {@code ^foo/}. Java's {@link java.util.regex.Matcher#find()} has the
 * same meaning. Destinations are canonical {@code host:port} strings ({@link HostPort#toString()}),
 * which is what task rows store.
 */
final class RemoteRules {
  /** One regex of one remote. */
  record Rule(String destination, String regex, Pattern pattern) {
    boolean matches(Tag tag) {
      return pattern.matcher(tag.toString()).find();
    }
  }

  private final List<Rule> rules;
  private final Map<String, HostPort> destinations;

  private RemoteRules(List<Rule> rules, Map<String, HostPort> destinations) {
    this.rules = List.copyOf(rules);
    this.destinations = Collections.unmodifiableMap(new LinkedHashMap<>(destinations));
  }

  /** Compiles {@code remotes}; throws {@link ConfigException} naming a bad address or regex. */
  static RemoteRules compile(Map<String, List<String>> remotes) {
    List<Rule> rules = new ArrayList<>();
    Map<String, HostPort> destinations = new LinkedHashMap<>();
    remotes.forEach((address, regexes) -> {
      HostPort remote = parse(address);
      destinations.put(remote.toString(), remote);
      for (String regex : regexes) {
        rules.add(new Rule(remote.toString(), regex, compileRegex(address, regex)));
      }
    });
    return new RemoteRules(rules, destinations);
  }

  private static HostPort parse(String address) {
    try {
      HostPort remote = HostPort.parse(address);
      if (remote.host().isEmpty() || remote.port() == 0) {
        throw new ConfigException("remotes." + address, "a remote needs a host and a port");
      }
      return remote;
    } catch (IllegalArgumentException e) {
      throw new ConfigException("remotes." + address, e.getMessage());
    }
  }

  private static Pattern compileRegex(String address, String regex) {
    try {
      return Pattern.compile(regex);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("remotes." + address, "bad regex \"" + regex + "\": " + e.getMessage());
    }
  }

  /** Every rule matching {@code tag}, in configuration order. */
  List<RuleMatch> match(Tag tag) {
    return rules.stream().filter(r -> r.matches(tag)).map(r -> new RuleMatch(r.destination(), r.regex())).toList();
  }

  /** The destinations {@code tag} replicates to, each once, in configuration order. */
  Set<String> destinationsOf(Tag tag) {
    Set<String> out = new LinkedHashSet<>();
    for (Rule r : rules) {
      if (!out.contains(r.destination()) && r.matches(tag)) {
        out.add(r.destination());
      }
    }
    return out;
  }

  /** Whether {@code tag} still replicates to {@code destination} under these rules. */
  boolean replicates(Tag tag, String destination) {
    return rules.stream().anyMatch(r -> r.destination().equals(destination) && r.matches(tag));
  }

  List<Rule> rules() {
    return rules;
  }

  /** Configured destinations by canonical address. */
  Map<String, HostPort> destinations() {
    return destinations;
  }

  boolean isEmpty() {
    return rules.isEmpty();
  }
}
