package io.topaz.agent.metadata;

import io.topaz.model.config.MetadataKind;
import io.topaz.model.metadata.AppMetadata;
import io.topaz.model.metadata.KeyFilter;
import io.topaz.model.metadata.SessionMetadata;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory L3 for the cache's unit tests (the real one, the control plane, is exercised in the control plane's
 * end-to-end tests): it records every key asked for, can hold answers until released, and can be "down".
 */
final class FakeSource implements MetadataSource {

    final Map<String, AppMetadata> apps = new ConcurrentHashMap<>();
    final Map<String, SessionMetadata> sessions = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> loadsPerKey = new ConcurrentHashMap<>();
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger keysAsked = new AtomicInteger();
    final CopyOnWriteArrayList<CompletableFuture<Void>> gates = new CopyOnWriteArrayList<>();
    volatile boolean down;
    volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
    volatile KeyFilter appFilter;

    /** Holds every answer until {@link #release()}. */
    void hold() {
        gate = new CompletableFuture<>();
    }

    void release() {
        gate.complete(null);
    }

    int loads(String key) {
        AtomicInteger n = loadsPerKey.get(key);
        return n == null ? 0 : n.get();
    }

    @Override
    public CompletableFuture<Map<String, AppMetadata>> apps(Set<String> keys) {
        return answer(keys, apps);
    }

    @Override
    public CompletableFuture<Map<String, SessionMetadata>> sessions(Set<String> keys) {
        return answer(keys, sessions);
    }

    private <V> CompletableFuture<Map<String, V>> answer(Set<String> keys, Map<String, V> from) {
        calls.incrementAndGet();
        keysAsked.addAndGet(keys.size());
        keys.forEach(k -> loadsPerKey.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet());
        if (down) {
            return CompletableFuture.failedFuture(new IOException("control plane unreachable (test)"));
        }
        return gate.thenApply(ignored -> {
            Map<String, V> out = new HashMap<>();
            keys.forEach(k -> {
                V v = from.get(k);
                if (v != null) {
                    out.put(k, v);
                }
            });
            return out;
        });
    }

    @Override
    public CompletableFuture<KeyFilter> filter(MetadataKind kind, double rate) {
        if (down) {
            return CompletableFuture.failedFuture(new IOException("control plane unreachable (test)"));
        }
        KeyFilter f = KeyFilter.create(Math.max(10_000, apps.size() * 2L), rate);
        (kind == MetadataKind.APP ? apps.keySet() : sessions.keySet()).forEach(f::put);
        return CompletableFuture.completedFuture(f);
    }
}
