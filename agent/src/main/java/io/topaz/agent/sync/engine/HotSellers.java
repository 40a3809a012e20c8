package io.topaz.agent.sync.engine;

import io.topaz.model.placement.SyncAgentLoad;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The busiest sellers of a group over about the last minute, in bounded memory whatever the number of sellers: a
 * space-saving top-k counter (Metwally et al.) of {@code capacity} slots per half-minute; the report adds the current
 * half-minute's counts to the previous one's. A seller whose true count is over 1/capacity of the window's messages is
 * always listed; a count may be over-estimated by at most the smallest slot's count (the error kept per slot, which
 * the report subtracts). Thread-safe; time comes from the caller (a clock).
 */
final class HotSellers {

    static final long HALF_MILLIS = 30_000;

    private static final class Slot {
        final long seller;
        String nick;
        long count;
        long error;

        Slot(long seller) {
            this.seller = seller;
        }
    }

    private final int capacity;
    private Map<Long, Slot> current = new HashMap<>();
    private Map<Long, Slot> previous = new HashMap<>();
    private long currentStart;

    HotSellers(int capacity, long nowMillis) {
        this.capacity = capacity;
        this.currentStart = nowMillis;
    }

    /** One change of {@code seller} at {@code nowMillis}. */
    synchronized void record(long seller, String nick, long nowMillis) {
        rotate(nowMillis);
        Slot s = current.get(seller);
        if (s == null) {
            if (current.size() < capacity) {
                s = new Slot(seller);
            } else { // evict the smallest: the newcomer inherits its count as its error bound
                Slot min = current.values().stream().min(Comparator.comparingLong(x -> x.count)).orElseThrow();
                current.remove(min.seller);
                s = new Slot(seller);
                s.count = min.count;
                s.error = min.count;
            }
            current.put(seller, s);
        }
        s.nick = nick;
        s.count++;
    }

    /** The {@code k} busiest sellers over the window ending at {@code nowMillis}, busiest first, in changes/s. */
    synchronized List<SyncAgentLoad.SellerLoad> top(int k, long nowMillis) {
        rotate(nowMillis);
        Map<Long, long[]> sum = new HashMap<>();
        Map<Long, String> nicks = new HashMap<>();
        for (Map<Long, Slot> half : List.of(previous, current)) {
            for (Slot s : half.values()) {
                sum.merge(s.seller, new long[]{s.count - s.error}, (a, b) -> new long[]{a[0] + b[0]});
                nicks.put(s.seller, s.nick);
            }
        }
        double seconds = Math.max(1, (HALF_MILLIS + nowMillis - currentStart) / 1000.0);
        List<SyncAgentLoad.SellerLoad> out = new ArrayList<>();
        sum.entrySet().stream().filter(e -> e.getValue()[0] > 0)
                .sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).limit(k)
                .forEach(e -> out.add(new SyncAgentLoad.SellerLoad(e.getKey(), nicks.get(e.getKey()),
                        Math.round(e.getValue()[0] / seconds * 100) / 100.0)));
        return out;
    }

    /** Slots in use (at most twice the capacity). */
    synchronized int slots() {
        return current.size() + previous.size();
    }

    private void rotate(long nowMillis) {
        if (nowMillis - currentStart < HALF_MILLIS) {
            return;
        }
        if (nowMillis - currentStart < 2 * HALF_MILLIS) {
            previous = current;
            currentStart += HALF_MILLIS;
        } else { // idle for over a minute: nothing recent
            previous = new HashMap<>();
            currentStart = nowMillis;
        }
        current = new HashMap<>();
    }
}
