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
import java.util.List;

/**
 * The first copy of a seller group: the source's rows of the group's sellers (those who permitted the target's app,
 * as they are at each page) modified in the last {@code backfillDays}, in tid order, one page per step so the live stream keeps its turn between pages. Progress (the last tid copied, rows
 * copied) is saved with the group's lease after every page, so a restarted holder resumes where the last one stopped.
 */
final class Backfill {

    private static final Logger log = LoggerFactory.getLogger(Backfill.class);

    /** Where the group's state is kept (the lease's node). */
    interface Store {
        GroupState load() throws Exception;

        void save(GroupState state) throws Exception;
    }

    private final String name;
    private final SourceOrders source;
    private final java.util.function.Supplier<SellerScope> scope;
    private final Reconciler.Writer writer;
    private final GroupMetrics metrics;
    private final Store store;
    private final int pageSize;
    private final long days;

    Backfill(String name, SourceOrders source, java.util.function.Supplier<SellerScope> scope, Reconciler.Writer writer, GroupMetrics metrics,
             Store store, int pageSize, int days) {
        this.name = name;
        this.source = source;
        this.scope = scope;
        this.writer = writer;
        this.metrics = metrics;
        this.store = store;
        this.pageSize = pageSize;
        this.days = days;
    }

    /** Copies one page if the backfill is not done; returns false once it is done. */
    boolean step(long nowMillis) throws Exception {
        GroupState s = store.load();
        if (GroupState.DONE.equals(s.backfill())) {
            metrics.backfill(GroupState.DONE, s.copied());
            return false;
        }
        if (GroupState.PENDING.equals(s.backfill())) {
            s = s.withBackfill(GroupState.RUNNING, nowMillis - Duration.ofDays(days).toMillis(), 0, 0);
            store.save(s);
            log.info("sync {}: backfill started (rows modified in the last {} days)", name, days);
        }
        List<OrderRow> page = source.page(scope.get(), s.sinceMillis(), s.afterTid(), pageSize);
        metrics.sourceRows(page.size());
        long after = s.afterTid();
        if (!page.isEmpty()) {
            write(page);
            after = page.get(page.size() - 1).tid();
        }
        long copied = s.copied() + page.size();
        String state = page.size() < pageSize ? GroupState.DONE : GroupState.RUNNING;
        store.save(s.withBackfill(state, s.sinceMillis(), after, copied));
        metrics.backfill(state, copied);
        if (state.equals(GroupState.DONE)) {
            log.info("sync {}: backfill done, {} rows copied", name, copied);
        }
        return state.equals(GroupState.RUNNING);
    }

    private void write(List<OrderRow> page) throws SQLException, FencedException {
        TargetOrders.WriteResult r = writer.write(page);
        metrics.written(r.written(), r.skipped());
    }
}
