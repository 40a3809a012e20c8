package io.topaz.agent.broker.queue;

import io.topaz.agent.broker.QueueName;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * In memory, per app, one small entry per dead letter (its id, queue, topic and time of death), newest first, so that
 * a page of an app's dead letters is found without reading them all; the dead letters themselves (message included)
 * are values in the state store under {@link #key}. Guarded by the engine's lock.
 */
final class DeadLetterIndex {

    record Ref(long deadAt, long id, QueueName queue, String topic) {
        String key() {
            return DeadLetterIndex.key(queue, id);
        }
    }

    private static final Comparator<Ref> NEWEST_FIRST = Comparator.comparingLong(Ref::deadAt).reversed()
            .thenComparing(Comparator.comparingLong(Ref::id).reversed()).thenComparing(Ref::queue);

    private final Map<String, NavigableSet<Ref>> byApp = new HashMap<>();
    private final Map<String, Ref> byKey = new HashMap<>();
    private final Map<Long, List<Ref>> byId = new HashMap<>();

    static final String PREFIX = "d/";

    static String key(QueueName queue, long id) {
        return PREFIX + queue.key() + "/" + id;
    }

    void add(Ref ref) {
        Ref old = byKey.put(ref.key(), ref);
        if (old != null) {
            byApp.get(old.queue().appKey()).remove(old);
            byId.get(old.id()).remove(old);
        }
        byId.computeIfAbsent(ref.id(), i -> new ArrayList<>(1)).add(ref);
        byApp.computeIfAbsent(ref.queue().appKey(), a -> new TreeSet<>(NEWEST_FIRST)).add(ref);
    }

    void remove(Ref ref) {
        Ref old = byKey.remove(ref.key());
        if (old != null) {
            List<Ref> same = byId.get(old.id());
            same.remove(old);
            if (same.isEmpty()) {
                byId.remove(old.id());
            }
            NavigableSet<Ref> refs = byApp.get(old.queue().appKey());
            refs.remove(old);
            if (refs.isEmpty()) {
                byApp.remove(ref.queue().appKey());
            }
        }
    }

    /** The app's dead letters with this id (one per group it died in). */
    List<Ref> byId(String appKey, long id) {
        List<Ref> out = new ArrayList<>();
        for (Ref r : byId.getOrDefault(id, List.of())) {
            if (r.queue().appKey().equals(appKey)) {
                out.add(r);
            }
        }
        return out;
    }

    /** The app's dead letters matching topic and time, newest first. */
    List<Ref> matching(String appKey, String topic, long from, long to) {
        List<Ref> out = new ArrayList<>();
        for (Ref r : byApp.getOrDefault(appKey, new TreeSet<>(NEWEST_FIRST))) {
            if (r.deadAt() >= from && r.deadAt() < to && (topic == null || topic.equals(r.topic()))) {
                out.add(r);
            }
        }
        return out;
    }

    /** Every dead letter that died before {@code millis}. */
    List<Ref> olderThan(long millis) {
        List<Ref> out = new ArrayList<>();
        for (NavigableSet<Ref> refs : byApp.values()) {
            for (Ref r : refs.descendingSet()) {
                if (r.deadAt() >= millis) {
                    break;
                }
                out.add(r);
            }
        }
        return out;
    }

    boolean contains(String key) {
        return byKey.containsKey(key);
    }

    int count(String appKey) {
        NavigableSet<Ref> refs = byApp.get(appKey);
        return refs == null ? 0 : refs.size();
    }

    int size() {
        return byKey.size();
    }
}
