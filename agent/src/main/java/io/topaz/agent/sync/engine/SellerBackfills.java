package io.topaz.agent.sync.engine;

import io.topaz.agent.sync.FencedException;
import io.topaz.agent.sync.OrderRow;
import io.topaz.agent.sync.SellerScope;
import io.topaz.agent.sync.SourceOrders;
import io.topaz.agent.sync.TargetOrders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The first copy of sellers who joined a running group — they permitted the target's app after the group's backfill
 * (or a holder started and found them permitted since its group last caught up): one seller at a time, its rows
 * modified in the last {@code backfillDays} in tid order, one page per step like the group's {@link Backfill}. The
 * live stream carries the seller from the moment its permit routes messages here; the copy brings its history.
 * Progress is kept in memory: a new holder starts the pending sellers again (the writes are conditional, so a row
 * copied twice is skipped).
 */
final class SellerBackfills {

    private static final Logger log = LoggerFactory.getLogger(SellerBackfills.class);

    private final String name;
    private final SourceOrders source;
    private final Reconciler.Writer writer;
    private final GroupMetrics metrics;
    private final int pageSize;
    private final long days;
    /** Sellers waiting for their copy, in the order they joined: id → nick. */
    private final Map<Long, String> pending = new LinkedHashMap<>();
    private long current = -1;
    private long sinceMillis;
    private long afterTid;
    private long copied;

    SellerBackfills(String name, SourceOrders source, Reconciler.Writer writer, GroupMetrics metrics, int pageSize,
                    int days) {
        this.name = name;
        this.source = source;
        this.writer = writer;
        this.metrics = metrics;
        this.pageSize = pageSize;
        this.days = days;
    }

    /** Queues these sellers' copies (a seller already queued keeps its place). */
    void add(Map<Long, String> sellers) {
        sellers.forEach(pending::putIfAbsent);
    }

    /** Drops the sellers no longer in the group (their permit was cancelled): their copy stops where it is. */
    void retain(Set<Long> sellers) {
        pending.keySet().retainAll(sellers);
        if (current >= 0 && !pending.containsKey(current)) {
            log.info("sync {}: seller {} left the group (permit cancelled); its backfill stops", name, current);
            current = -1;
        }
    }

    boolean idle() {
        return pending.isEmpty();
    }

    /** Sellers waiting for (or in) their copy. */
    int pending() {
        return pending.size();
    }

    /** Copies one page of the first pending seller; returns false when none is pending. */
    boolean step(SellerScope scope, long nowMillis) throws SQLException, FencedException {
        if (pending.isEmpty()) {
            return false;
        }
        Map.Entry<Long, String> seller = pending.entrySet().iterator().next();
        if (current != seller.getKey()) {
            current = seller.getKey();
            sinceMillis = nowMillis - Duration.ofDays(days).toMillis();
            afterTid = 0;
            copied = 0;
            log.info("sync {}: backfill of seller {} ({}) started (rows modified in the last {} days)", name,
                    seller.getKey(), seller.getValue(), days);
        }
        List<OrderRow> page = source.page(scope.only(seller.getKey(), seller.getValue()), sinceMillis, afterTid,
                pageSize);
        metrics.sourceRows(page.size());
        if (!page.isEmpty()) {
            TargetOrders.WriteResult r = writer.write(page);
            metrics.written(r.written(), r.skipped());
            afterTid = page.get(page.size() - 1).tid();
            copied += page.size();
        }
        if (page.size() < pageSize) {
            log.info("sync {}: backfill of seller {} done, {} rows copied", name, current, copied);
            pending.remove(current);
            current = -1;
        }
        return !pending.isEmpty();
    }
}
