package io.topaz.agent.metadata;

import io.topaz.model.config.MetadataKind;
import io.topaz.model.metadata.AppMetadata;
import io.topaz.model.metadata.KeyFilter;
import io.topaz.model.metadata.SessionMetadata;
import io.topaz.model.metadata.TmcGroups;
import io.topaz.model.metadata.TmcUser;

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
    final Map<String, TmcUser> tmcUsers = new ConcurrentHashMap<>();
    final Map<String, TmcGroups> tmcGroups = new ConcurrentHashMap<>();
    final Map<String, String> tmcNicks = new ConcurrentHashMap<>();
    /** Loads of the message service's kinds, by kind and key ("TMC_USER:123"), apart from apps' and sessions'. */
    final Map<String, AtomicInteger> tmcLoads = new ConcurrentHashMap<>();
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

    @Override
    public CompletableFuture<Map<String, TmcUser>> tmcUsers(Set<String> keys) {
        return tmcAnswer("TMC_USER", keys, tmcUsers);
    }

    @Override
    public CompletableFuture<Map<String, TmcGroups>> tmcGroups(Set<String> keys) {
        return tmcAnswer("TMC_GROUPS", keys, tmcGroups);
    }

    @Override
    public CompletableFuture<Map<String, String>> tmcNicks(Set<String> keys) {
        return tmcAnswer("TMC_NICK", keys, tmcNicks);
    }

    int tmcLoads(String kind, String key) {
        AtomicInteger n = tmcLoads.get(kind + ":" + key);
        return n == null ? 0 : n.get();
    }

    private <V> CompletableFuture<Map<String, V>> tmcAnswer(String kind, Set<String> keys, Map<String, V> from) {
        keys.forEach(k -> tmcLoads.computeIfAbsent(kind + ":" + k, x -> new AtomicInteger()).incrementAndGet());
        if (down) {
            return CompletableFuture.failedFuture(new IOException("control plane unreachable (test)"));
        }
        Map<String, V> out = new HashMap<>();
        keys.forEach(k -> {
            V v = from.get(k);
            if (v != null) {
                out.put(k, v);
            }
        });
        return CompletableFuture.completedFuture(out);
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
