package io.topaz.agent.gateway;

import io.topaz.model.config.ApiDefinition;
import io.topaz.model.config.ConfigSnapshot;
import io.topaz.model.config.UpstreamEndpoint;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Routing: picks the upstream instance for a call by smooth weighted round-robin (nginx's: over any window each
 * instance gets its share, spread evenly) among the healthy instances. If none is healthy it picks among all
 * (better to try than to fail every call when the health view is wrong). The invocation stage asks again, excluding
 * the instances tried, when a connection could not be made.
 */
final class RoutingStage implements Stage {

    /** The round-robin state of one API's instance list; replaced when a release changes the list. */
    private static final class Rotation {
        final List<UpstreamEndpoint> endpoints;
        final long[] current;

        Rotation(List<UpstreamEndpoint> endpoints) {
            this.endpoints = endpoints;
            this.current = new long[endpoints.size()];
        }

        synchronized UpstreamEndpoint next(UpstreamHealth health, Set<String> exclude, boolean onlyHealthy) {
            int best = -1;
            long total = 0;
            for (int i = 0; i < endpoints.size(); i++) {
                UpstreamEndpoint e = endpoints.get(i);
                if (exclude.contains(e.url()) || (onlyHealthy && !health.healthy(e.url()))) {
                    continue;
                }
                int w = e.weight() == null ? 1 : e.weight();
                current[i] += w;
                total += w;
                if (best < 0 || current[i] > current[best]) {
                    best = i;
                }
            }
            if (best < 0) {
                return null;
            }
            current[best] -= total;
            return endpoints.get(best);
        }
    }

    private final UpstreamHealth health;
    private final Map<String, Rotation> rotations = new ConcurrentHashMap<>();
    /** The newest release whose removed APIs and instances were forgotten. */
    private volatile long releaseSeen = Long.MIN_VALUE;

    RoutingStage(UpstreamHealth health) {
        this.health = health;
    }

    @Override
    public CompletableFuture<TopError> apply(Call call) {
        if (call.config != null && call.config.release() > releaseSeen) {
            forgetRemoved(call.config);
        }
        UpstreamEndpoint e = pick(call.api, Set.of());
        if (e == null) {
            return Stage.fail(15, "isp.no-upstream", "API " + call.method + " has no upstream instance");
        }
        call.endpoint = e;
        return PASS;
    }

    /**
     * The first call of a new release drops the rotations of APIs it no longer has and the health of instances no API
     * of it names, so that releases that come and go leave no state behind. (A call of the previous release still in
     * flight may bring one back; the next release drops it.)
     */
    private synchronized void forgetRemoved(ConfigSnapshot config) {
        if (config.release() <= releaseSeen) {
            return;
        }
        Map<String, ApiDefinition> apis = config.apis();
        rotations.keySet().removeIf(method -> !apis.containsKey(method));
        Set<String> urls = new HashSet<>();
        for (ApiDefinition api : apis.values()) {
            for (UpstreamEndpoint e : api.upstreams() == null ? List.<UpstreamEndpoint>of() : api.upstreams()) {
                urls.add(e.url());
            }
        }
        health.retainOnly(urls);
        releaseSeen = config.release();
    }

    /** The APIs whose rotation is kept (tests). */
    Set<String> rotatedApis() {
        return Set.copyOf(rotations.keySet());
    }

    /** The next instance for {@code api} not in {@code exclude}: healthy ones first; null when none is left. */
    UpstreamEndpoint pick(ApiDefinition api, Set<String> exclude) {
        Rotation r = rotations.get(api.method());
        if (r == null || !r.endpoints.equals(api.upstreams())) {
            Rotation fresh = new Rotation(api.upstreams());
            rotations.put(api.method(), fresh);
            r = fresh;
        }
        UpstreamEndpoint e = r.next(health, exclude, true);
        return e != null ? e : r.next(health, exclude, false);
    }

    UpstreamHealth health() {
        return health;
    }
}
