package io.topaz.agent.sync.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.topaz.agent.sync.SellerPermits;
import io.topaz.agent.sync.SellerPermits.Seller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The engine's copy of who permitted each target's app ({@link SellerPermits}), one list per app key.
 *
 * <p>A list is read whole once, then kept current seller by seller: a {@code TMC_USER} event names the seller whose
 * permits changed (and the change's version), and only that seller's permits are looked up
 * ({@link SellerPermits#permitsOf}) and applied to every list, so a permit change costs one lookup however many
 * sellers an app has. Lookups of one seller run one at a time (an event during a lookup makes another: none is lost).
 * The lists are read whole again when a lookup fails, when its answer is older than the event's version (a stale
 * cache tier), after missed events (which also make every lookup under way run again, as its answer may predate what
 * was missed), and on a storm of more than {@link #MAX_LOOKUPS} sellers changing at once. Every {@code refreshEvery} a
 * list is read whole again anyway, by the engine's clock, as a safety net; a failed read keeps the last list and is
 * tried again after {@link #RETRY}.
 *
 * <p>A seller's change looked up while a whole read runs is kept on top of that read's answer (the read may have
 * passed the seller before the change); one looked up before the read started is in the read. A read answered for an
 * app that was dropped ({@link #retain}) and named again since is discarded. Everything runs in
 * the background: the engine's control loop takes the lists as they are ({@link #current}) and never waits; an
 * unchanged list is the same {@link List} instance from call to call.
 */
final class PermittedSellers implements SellerPermits.Listener {

    private static final Logger log = LoggerFactory.getLogger(PermittedSellers.class);
    static final Duration RETRY = Duration.ofSeconds(5);
    /** More sellers than this waiting for a lookup at once: the lists are read whole instead. */
    static final int MAX_LOOKUPS = 1_000;

    /** A seller's permit of one app as a lookup found it, {@code seller} null when not permitted. */
    private record Change(long seq, Seller seller) {
    }

    private static final class App {
        /** The last whole read, by user id; null before the first. */
        List<Seller> read;
        long readGeneration;
        long readAtMillis;
        /** Changes looked up after the last whole read started, by user id. */
        final TreeMap<Long, Change> changes = new TreeMap<>();
        List<Seller> merged;
        boolean reading;
        long failedAtMillis = -1;
    }

    private final SellerPermits permits;
    private final Clock clock;
    private final long refreshMillis;
    private final Object lock = new Object();
    private final Map<String, App> apps = new HashMap<>();
    /** A seller being looked up: the newest event's version, and whether one came during the lookup. */
    private static final class Lookup {
        long version;
        boolean again;

        Lookup(long version) {
            this.version = version;
        }
    }

    /** Sellers being looked up. */
    private final Map<Long, Lookup> lookups = new HashMap<>();
    private long generation;
    private long seq;
    private final Counter readsOk;
    private final Counter readsFailed;
    private final Counter lookupsOk;
    private final Counter lookupsFailed;
    private final Counter lookupsStale;
    private final Counter storms;

    /**
     * Metrics: {@code topaz.sync.permits.reads} (whole lists read, by {@code result} ok or failed) and
     * {@code topaz.sync.permits.lookups} (one seller's permits looked up, by {@code result} ok, failed or stale); {@code topaz.sync.permits.storms} (more
     * sellers changing at once than {@link #MAX_LOOKUPS}: read whole instead).
     */
    PermittedSellers(SellerPermits permits, Clock clock, Duration refreshEvery, MeterRegistry registry) {
        this.permits = permits;
        this.clock = clock;
        this.refreshMillis = refreshEvery.toMillis();
        this.readsOk = counter(registry, "topaz.sync.permits.reads", "ok", "whole lists of permitted sellers read");
        this.readsFailed = counter(registry, "topaz.sync.permits.reads", "failed",
                "whole lists of permitted sellers read");
        this.lookupsOk = counter(registry, "topaz.sync.permits.lookups", "ok",
                "one seller's permits looked up after a permit event");
        this.lookupsFailed = counter(registry, "topaz.sync.permits.lookups", "failed",
                "one seller's permits looked up after a permit event");
        this.lookupsStale = counter(registry, "topaz.sync.permits.lookups", "stale",
                "one seller's permits looked up after a permit event");
        this.storms = Counter.builder("topaz.sync.permits.storms")
                .description("more sellers changing at once than lookups may wait: lists read whole instead")
                .register(registry);
        permits.onChange(this);
    }

    private static Counter counter(MeterRegistry registry, String name, String result, String description) {
        return Counter.builder(name).tag("result", result).description(description).register(registry);
    }

    /**
     * The list of {@code appKey} (empty before the first whole read answered), with the changes looked up since;
     * starts a whole read in the background when one is due (missed events, a failed lookup, or the refresh period
     * passed) and none runs.
     */
    Optional<List<Seller>> current(String appKey) {
        long gen;
        long startSeq;
        App app;
        Optional<List<Seller>> out;
        synchronized (lock) {
            App a = apps.computeIfAbsent(appKey, k -> new App());
            long now = clock.millis();
            boolean due = a.read == null || a.readGeneration != generation || now - a.readAtMillis >= refreshMillis;
            boolean start = due && !a.reading && (a.failedAtMillis < 0 || now - a.failedAtMillis >= RETRY.toMillis());
            out = a.read == null ? Optional.empty() : Optional.of(merged(a));
            if (!start) {
                return out;
            }
            a.reading = true;
            app = a;
            gen = generation;
            startSeq = seq;
        }
        read(appKey, app, gen, startSeq);
        return out;
    }

    private void read(String appKey, App a, long gen, long startSeq) {
        permits.sellers(appKey).whenComplete((answer, err) -> {
            List<Seller> sorted = null;
            if (err == null) { // sorted before taking the lock: a list may hold millions
                sorted = new ArrayList<>(answer);
                sorted.sort(Comparator.comparingLong(Seller::userId));
            }
            synchronized (lock) {
                if (apps.get(appKey) != a) {
                    return; // no target names the app any more, or it was dropped and is read anew
                }
                a.reading = false;
                if (err != null) {
                    readsFailed.increment();
                    a.failedAtMillis = clock.millis();
                    log.warn("order sync: reading the sellers who permitted app {} failed: {}; keeping the last list",
                            appKey, SyncFailure.why(err));
                    return;
                }
                readsOk.increment();
                a.failedAtMillis = -1;
                int before = a.read == null ? -1 : a.read.size();
                a.read = Collections.unmodifiableList(sorted);
                a.readGeneration = gen;
                a.readAtMillis = clock.millis();
                a.changes.values().removeIf(c -> c.seq() <= startSeq); // looked up before the read: in it
                a.merged = null;
                if (before != sorted.size()) {
                    log.info("order sync: {} seller(s) permitted app {}", sorted.size(), appKey);
                }
            }
        });
    }

    @Override
    public void seller(long userId, long version) {
        synchronized (lock) {
            Lookup running = lookups.get(userId);
            if (running != null) {
                running.again = true;
                running.version = Math.max(running.version, version);
                return;
            }
            if (lookups.size() >= MAX_LOOKUPS) {
                storms.increment();
                generation++; // a storm of changes: read the lists whole rather than seller by seller
                return;
            }
            lookups.put(userId, new Lookup(version));
        }
        lookUp(userId, version);
    }

    @Override
    public void all() {
        synchronized (lock) {
            generation++;
            // a lookup under way may answer from before what was missed, and land after the new whole read started
            lookups.values().forEach(l -> l.again = true);
        }
    }

    private void lookUp(long userId, long version) {
        permits.permitsOf(userId).whenComplete((answer, err) -> {
            long next = -1;
            synchronized (lock) {
                if (err != null) {
                    lookupsFailed.increment();
                    generation++;
                    log.warn("order sync: looking up the permits of seller {} failed: {}; reading the permitted "
                            + "sellers again", userId, SyncFailure.why(err));
                } else if (answer.version() < version) {
                    lookupsStale.increment();
                    generation++; // a cache tier answered from before the change: ask the control plane itself
                    log.info("order sync: the permits of seller {} were answered at version {}, older than the "
                            + "change's {}; reading the permitted sellers again", userId, answer.version(), version);
                } else {
                    lookupsOk.increment();
                    apply(userId, answer.byApp());
                }
                Lookup l = lookups.get(userId);
                if (l != null && l.again) {
                    l.again = false;
                    next = l.version;
                } else {
                    lookups.remove(userId);
                }
            }
            if (next >= 0) {
                lookUp(userId, next);
            }
        });
    }

    /** Under the lock: a seller's permits now, applied to every list. */
    private void apply(long userId, Map<String, Seller> byApp) {
        seq++;
        for (Map.Entry<String, App> e : apps.entrySet()) {
            App a = e.getValue();
            Seller now = byApp.get(e.getKey());
            if (!a.reading && Objects.equals(now, holds(a, userId))) {
                continue; // nothing changes, and no read under way could undo it
            }
            a.changes.put(userId, new Change(seq, now));
            a.merged = null;
        }
    }

    /** Under the lock: the seller as app {@code a}'s list holds it now (null: not in it). */
    private static Seller holds(App a, long userId) {
        Change c = a.changes.get(userId);
        if (c != null) {
            return c.seller();
        }
        if (a.read == null) {
            return null;
        }
        int i = Collections.binarySearch(a.read, new Seller(userId, "", 0),
                Comparator.comparingLong(Seller::userId));
        return i >= 0 ? a.read.get(i) : null;
    }

    /** Under the lock: the last read with the changes since, merged by user id (kept until either changes). */
    private static List<Seller> merged(App a) {
        if (a.merged != null) {
            return a.merged;
        }
        if (a.changes.isEmpty()) {
            a.merged = a.read;
            return a.merged;
        }
        List<Seller> out = new ArrayList<>(a.read.size() + a.changes.size());
        Iterator<Map.Entry<Long, Change>> keys = a.changes.entrySet().iterator();
        Map.Entry<Long, Change> k = keys.hasNext() ? keys.next() : null;
        for (Seller s : a.read) {
            while (k != null && k.getKey() < s.userId()) {
                add(out, k.getValue());
                k = keys.hasNext() ? keys.next() : null;
            }
            if (k != null && k.getKey() == s.userId()) {
                add(out, k.getValue()); // changed: the lookup's answer replaces the read's
                k = keys.hasNext() ? keys.next() : null;
            } else {
                out.add(s);
            }
        }
        while (k != null) {
            add(out, k.getValue());
            k = keys.hasNext() ? keys.next() : null;
        }
        a.merged = List.copyOf(out);
        return a.merged;
    }

    private static void add(List<Seller> out, Change c) {
        if (c.seller() != null) {
            out.add(c.seller());
        }
    }

    /** Forgets the apps no sync target names any more. */
    void retain(Set<String> appKeys) {
        synchronized (lock) {
            apps.keySet().retainAll(appKeys);
        }
    }
}
