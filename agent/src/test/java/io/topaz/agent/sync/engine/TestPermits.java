package io.topaz.agent.sync.engine;

import io.topaz.agent.sync.SellerPermits;
import io.topaz.model.metadata.TmcUser;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Sellers' permits of one app, as the control plane would keep them: {@link #permit} and {@link #cancel} change them
 * and tell the listeners, as a {@code TMC_USER} metadata event does. Nicks follow {@code TestOrders}: "店铺" + id.
 */
final class TestPermits implements SellerPermits {

    /** The sellers of {@code TestOrders}: 1000 + tid % 97. */
    static final List<Long> TEST_ORDER_SELLERS = java.util.stream.LongStream.range(1_000, 1_097).boxed().toList();

    private final String appKey;
    private final Clock clock;
    private final Map<Long, Seller> sellers = new ConcurrentSkipListMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    /** The permits' version, as the control plane's TMC_USER version (one counter for all sellers here). */
    private final java.util.concurrent.atomic.AtomicLong version = new java.util.concurrent.atomic.AtomicLong();

    TestPermits(String appKey, Clock clock, Collection<Long> permitted) {
        this.appKey = appKey;
        this.clock = clock;
        permitted.forEach(id -> sellers.put(id, new Seller(id, nick(id), clock.millis())));
    }

    static String nick(long sellerId) {
        return "店铺" + sellerId;
    }

    void permit(long sellerId) {
        sellers.put(sellerId, new Seller(sellerId, nick(sellerId), clock.millis()));
        long v = version.incrementAndGet();
        listeners.forEach(l -> l.seller(sellerId, v));
    }

    void cancel(long sellerId) {
        sellers.remove(sellerId);
        long v = version.incrementAndGet();
        listeners.forEach(l -> l.seller(sellerId, v));
    }

    boolean permitted(long sellerId) {
        return sellers.containsKey(sellerId);
    }

    List<Seller> list() {
        return List.copyOf(sellers.values());
    }

    /** The seller as the message service routes by: a permit of the app (all topics) when permitted. */
    TmcUser user(long sellerId) {
        return new TmcUser(sellerId, nick(sellerId), permitted(sellerId)
                ? List.of(new TmcUser.Permit(appKey, null, true, null, 0, 0)) : List.of(), 1);
    }

    @Override
    public CompletableFuture<List<Seller>> sellers(String app) {
        return CompletableFuture.completedFuture(app.equals(appKey) ? list() : List.of());
    }

    @Override
    public CompletableFuture<UserPermits> permitsOf(long userId) {
        Seller s = sellers.get(userId);
        return CompletableFuture.completedFuture(new UserPermits(version.get(), s == null ? Map.of() : Map.of(appKey, s)));
    }

    @Override
    public void onChange(Listener listener) {
        listeners.add(listener);
    }
}
