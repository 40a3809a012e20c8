package io.topaz.agent.broker.store;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory index: each live key to its newest record. Deleted keys are absent. Lock-free for readers; a merge
 * moves entries with {@link #moveIfUnchanged} so that a newer put or delete made meanwhile always wins.
 */
final class KeyDirectory {

    private final Map<String, Location> entries = new ConcurrentHashMap<>();

    Location get(String key) {
        return entries.get(key);
    }

    void put(String key, Location at) {
        entries.put(key, at);
    }

    void remove(String key) {
        entries.remove(key);
    }

    boolean moveIfUnchanged(String key, Location from, Location to) {
        return entries.replace(key, from, to);
    }

    /** True when some key's newest record lies in one of {@code segments}. */
    boolean pointsInto(Set<Long> segments) {
        return entries.values().stream().anyMatch(at -> segments.contains(at.segment()));
    }

    /** The live keys starting with {@code prefix} (a snapshot). */
    java.util.List<String> keysStartingWith(String prefix) {
        return entries.keySet().stream().filter(k -> k.startsWith(prefix)).toList();
    }

    int size() {
        return entries.size();
    }

    long liveBytes() {
        return entries.values().stream().mapToLong(Location::size).sum();
    }
}
