package io.topaz.console.controlplane;

import java.util.Map;

/** A release as the history lists it. {@code rollbackOf} is the release it republished, or null. */
public record ReleaseSummary(long number, String message, String author, String createdAt, Long rollbackOf,
                             int itemCount, Map<String, Integer> counts, boolean live) {
}
