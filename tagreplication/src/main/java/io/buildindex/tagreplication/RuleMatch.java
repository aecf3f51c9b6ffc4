package io.buildindex.tagreplication;

/** A remote rule that matches a tag: the tag replicates to {@code destination} because of {@code rule}. */
public record RuleMatch(String destination, String rule) {}
